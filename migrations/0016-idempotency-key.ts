/**
 * A widget submission carries an Idempotency-Key (one per submission): a retry after a lost 201 finds the ticket the
 * first attempt created instead of creating a second one (issue 12, item 5). The key is stored on the ticket it
 * created, written in the same transaction, so a crash leaves either both or neither; the unique index is what
 * makes two racing retries end with one ticket. Keys are scoped by the caller (server/tickets/) so one client's key
 * cannot reach another's ticket.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';
import { dropColumn } from './columns.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('tickets', 'idempotency_key', { type: DataTypes.STRING(200), allowNull: true });
  await q.addIndex('tickets', ['idempotency_key'], { name: 'tickets_idempotency_key', unique: true });
}

export async function down(ctx: MigrationContext) {
  await ctx.queryInterface.removeIndex('tickets', 'tickets_idempotency_key');
  await dropColumn(ctx, 'tickets', 'idempotency_key');
}
