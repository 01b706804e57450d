/**
 * The per-address cap on automatic mail counts `victim+1@corp.example` and `Victim@corp.example` as one address:
 * outbox.limit_key holds the address without case and +tag (server/domain/address.ts), indexed with created_at
 * for the count. Existing rows get the lower-cased address (their +tags no longer matter after the 3-hour window).
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  await q.addColumn('outbox', 'limit_key', { type: DataTypes.STRING(320), allowNull: true });
  await sequelize.query('UPDATE outbox SET limit_key = LOWER(to_addr)');
  await q.addIndex('outbox', ['limit_key', 'created_at'], { name: 'outbox_limit_key_created_at' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeIndex('outbox', 'outbox_limit_key_created_at');
  await q.removeColumn('outbox', 'limit_key');
}
