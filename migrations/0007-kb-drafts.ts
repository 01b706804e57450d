/**
 * Knowledge-base drafts (issue 11, item 7): an entry made from a closed ticket waits, unpublished, until an agent
 * reviews it; `redactions` lists the personal data taken out of it (shown to that agent, cleared once reviewed).
 * Entries made from tickets before this migration were published without anyone looking: they become drafts too.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';
import { dropColumn } from './columns.js';

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  await q.addColumn('kb_entries', 'draft', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await q.addColumn('kb_entries', 'redactions', { type: DataTypes.TEXT, allowNull: true });
  await q.addIndex('kb_entries', ['draft', 'id'], { name: 'kb_entries_draft_id' });
  await sequelize.query("UPDATE kb_entries SET draft = :yes, published = :no WHERE source = 'ticket'", {
    replacements: { yes: true, no: false },
  });
}

export async function down(ctx: MigrationContext) {
  await ctx.queryInterface.removeIndex('kb_entries', 'kb_entries_draft_id');
  // Drafts stay unpublished: going down must not publish what no agent approved.
  await dropColumn(ctx, 'kb_entries', 'redactions');
  await dropColumn(ctx, 'kb_entries', 'draft');
}
