/**
 * An outbox row is claimed before it is sent (claimed_by, claimed_until), so two sender processes, or one that
 * lost its job lease in the middle of a slow batch, never send the same mail at once; a sender that dies leaves
 * a claim that simply expires, and the mail goes again (with its stored Message-ID) only after that.
 * claimed_by is indexed: a sender reads its batch back by it, and the table keeps every mail ever sent.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addColumn('outbox', 'claimed_by', { type: DataTypes.STRING(100), allowNull: true });
  await q.addColumn('outbox', 'claimed_until', { type: DataTypes.DATE(3), allowNull: true });
  await q.addIndex('outbox', ['claimed_by'], { name: 'outbox_claimed_by' });
}

export async function down({ queryInterface: q, sequelize }: MigrationContext) {
  await q.removeIndex('outbox', 'outbox_claimed_by');
  // SQLite (3.35+) and MySQL both drop a plain column in place; Sequelize's SQLite removeColumn rebuilds the
  // table and would lose its indexes (the unique Message-ID among them).
  for (const column of ['claimed_until', 'claimed_by'])
    await sequelize.query(`ALTER TABLE ${q.quoteIdentifier('outbox')} DROP COLUMN ${q.quoteIdentifier(column)}`);
}
