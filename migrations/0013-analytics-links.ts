/**
 * Read-only analytics links with a server-side id (server/analytics/links.ts): the URL carries a random token whose
 * SHA-256 is stored here, so an admin can list the links and revoke one; a signed token alone could only expire.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('analytics_links', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    token_hash: { type: DataTypes.STRING(64), allowNull: false },
    label: { type: DataTypes.STRING(200), allowNull: false },
    created_by: { type: DataTypes.STRING(120), allowNull: false },
    expires_at: { type: DataTypes.DATE(3), allowNull: false },
    revoked_at: { type: DataTypes.DATE(3), allowNull: true },
    revoked_by: { type: DataTypes.STRING(120), allowNull: true },
    last_used_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('analytics_links', ['token_hash'], { unique: true, name: 'analytics_links_token_hash_uq' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('analytics_links');
}
