/**
 * The knowledge base learns what worked (issue 13, item 5): `kb_entries.solved` counts the requesters who confirmed
 * an entry solved their problem (an AI answer or a suggestion: "this solved it", a closing reply, the widget), and
 * ranks proven entries first; `kb_outcomes` keeps, per entry and kind of request (`issue:<slug>` or
 * `category:<name>`), how often it solved one and how often it did not help, so an article that keeps failing for
 * one kind of request stops being offered for it while it still serves the others.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';
import { dropColumn } from './columns.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('kb_entries', 'solved', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  await q.createTable('kb_outcomes', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    kb_entry_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'kb_entries', key: 'id' },
      onDelete: 'CASCADE',
    },
    kind: { type: DataTypes.STRING(120), allowNull: false },
    solved: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    failed: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('kb_outcomes', ['kb_entry_id', 'kind'], { unique: true, name: 'kb_outcomes_entry_kind_uq' });
}

export async function down(ctx: MigrationContext) {
  await ctx.queryInterface.dropTable('kb_outcomes');
  await dropColumn(ctx, 'kb_entries', 'solved');
}
