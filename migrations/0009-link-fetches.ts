/**
 * Fetches of the action links in our emails (issue 11, item 2). Mail scanners fetch every link of a message, some
 * in a real browser that runs script, so a GET never closes or reopens anything, and an emoji GET records its
 * score only provisionally: the row is due a minute later, when it becomes the ticket's feedback unless another
 * link of the same email (same mail nonce) was fetched within that minute, or the fetch came seconds after the
 * mail left. A job (and the next read of the ticket) settles due rows; each row is settled once, under the
 * ticket's lock, so several server processes may race for it safely.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.createTable('link_fetches', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    ticket_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'tickets', key: 'id' },
      onDelete: 'CASCADE',
    },
    mail_nonce: { type: DataTypes.STRING(32), allowNull: false, defaultValue: '' }, // '' for links older than nonces
    link: { type: DataTypes.STRING(20), allowNull: false }, // view | close | reopen | feedback:1 … feedback:5
    score: { type: DataTypes.INTEGER, allowNull: true },
    // Emoji links only: pending → recorded | dropped | superseded (a person's choice on the page came first)
    state: { type: DataTypes.STRING(12), allowNull: true },
    reason: { type: DataTypes.STRING(200), allowNull: true },
    actor: { type: DataTypes.STRING(120), allowNull: true },
    fetched_at: { type: DataTypes.DATE(3), allowNull: false },
    due_at: { type: DataTypes.DATE(3), allowNull: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
    updated_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  await q.addIndex('link_fetches', ['ticket_id', 'mail_nonce', 'fetched_at'], { name: 'link_fetches_mail' });
  await q.addIndex('link_fetches', ['state', 'due_at'], { name: 'link_fetches_due' });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.dropTable('link_fetches');
}
