/**
 * The name a requester gave on each ticket (issue 11, item 9). Unauthenticated channels (widget, email, the create
 * API without the admin token) no longer overwrite the requester's stored name and centre; what they said is kept
 * on the ticket instead, so agents still see it.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';
import { dropColumn } from './columns.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('tickets', 'requester_name', { type: DataTypes.STRING(200), allowNull: true });
}

export async function down(ctx: MigrationContext) {
  await dropColumn(ctx, 'tickets', 'requester_name');
}
