/**
 * Rate-limit counters (server/http/rate-limits.ts): one row per hashed key and fixed window, bumped by an atomic
 * upsert, so limits hold across server processes and restarts. Expired windows are swept now and then.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('rate_limits', {
    bucket: { type: DataTypes.STRING(80), allowNull: false, primaryKey: true }, // "<limit>:<sha256 of the key>"
    window_start: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true }, // ms since epoch
    hits: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    expires_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await q.addIndex('rate_limits', ['expires_at'], { name: 'rate_limits_expires_at' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('rate_limits');
}
