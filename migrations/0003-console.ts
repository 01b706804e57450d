/**
 * Agent console: magic-link login tokens and browser sessions. Only SHA-256 hashes of the tokens are stored,
 * so a leaked database backup cannot be replayed as a login or a session.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const ts = { type: DataTypes.DATE(3), allowNull: false };
const hash = { type: DataTypes.STRING(64), allowNull: false }; // hex sha256
const agent = {
  type: DataTypes.INTEGER,
  allowNull: false,
  references: { model: 'agents', key: 'id' },
  onDelete: 'CASCADE',
};

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('login_tokens', {
    id,
    token_hash: hash,
    agent_id: agent,
    expires_at: ts,
    used_at: { type: DataTypes.DATE(3), allowNull: true }, // set once, atomically: the link is single use
    created_at: ts,
    updated_at: ts,
  });
  await q.addIndex('login_tokens', ['token_hash'], { unique: true, name: 'login_tokens_token_hash_uq' });
  await q.addIndex('login_tokens', ['agent_id', 'created_at'], { name: 'login_tokens_agent_id_created_at' });

  await q.createTable('console_sessions', {
    id,
    token_hash: hash,
    agent_id: agent,
    csrf_secret: { type: DataTypes.STRING(64), allowNull: false }, // synchronizer token for this session's forms
    expires_at: ts,
    created_at: ts,
    updated_at: ts,
  });
  await q.addIndex('console_sessions', ['token_hash'], { unique: true, name: 'console_sessions_token_hash_uq' });
  await q.addIndex('console_sessions', ['expires_at'], { name: 'console_sessions_expires_at' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('console_sessions');
  await q.dropTable('login_tokens');
}
