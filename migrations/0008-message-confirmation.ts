/**
 * An agent's email reply that is not proven to come from them (issue 11, item 5) is kept as an internal note that
 * waits for that agent to confirm it in the console; only then is it sent to the requester as their reply.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';
import { dropColumn } from './columns.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('messages', 'pending_confirmation', {
    type: DataTypes.BOOLEAN,
    allowNull: false,
    defaultValue: false,
  });
}

export async function down(ctx: MigrationContext) {
  await dropColumn(ctx, 'messages', 'pending_confirmation');
}
