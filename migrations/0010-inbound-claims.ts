/**
 * A stored email is claimed before it is processed (claimed_by, claimed_until), so live intake, the recovery job
 * and a second process never work on one row at once; attempts were already counted and are now counted before
 * the work, so a message that kills the process is quarantined after a few tries instead of crash-looping.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('inbound_emails', 'claimed_by', { type: DataTypes.STRING(100), allowNull: true });
  await q.addColumn('inbound_emails', 'claimed_until', { type: DataTypes.DATE(3), allowNull: true });
}

export async function down({ queryInterface: q, sequelize }: MigrationContext) {
  // SQLite (3.35+) and MySQL both drop a plain column in place; Sequelize's SQLite removeColumn rebuilds the
  // table and would lose its indexes (the unique dedupe key among them).
  for (const column of ['claimed_until', 'claimed_by'])
    await sequelize.query(
      `ALTER TABLE ${q.quoteIdentifier('inbound_emails')} DROP COLUMN ${q.quoteIdentifier(column)}`,
    );
}
