/** Column helpers for migrations that must run up and down on SQLite and MySQL alike. */
import type { MigrationContext } from '../server/db/migrate.js';

/**
 * Drops a column. On SQLite, Sequelize's removeColumn copies the table into a new one, which silently loses the
 * table's triggers (the analytics roll-ups live on tickets and feedback); SQLite's own DROP COLUMN keeps them.
 */
export async function dropColumn({ queryInterface: q, sequelize }: MigrationContext, table: string, column: string) {
  if (sequelize.getDialect() === 'sqlite') await sequelize.query(`ALTER TABLE "${table}" DROP COLUMN "${column}"`);
  else await q.removeColumn(table, column);
}
