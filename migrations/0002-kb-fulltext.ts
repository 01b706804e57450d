/**
 * Full-text index for knowledge-base search. addIndex(type FULLTEXT) silently becomes a plain index on SQLite,
 * so each dialect gets its own: an FTS5 table kept in sync by triggers on SQLite, an InnoDB FULLTEXT index on
 * MySQL. Both index search_text, which the application fills with stemmed words so word forms match alike.
 */
import type { MigrationContext } from '../server/db/migrate.js';

export async function up({ sequelize }: MigrationContext) {
  if (sequelize.getDialect() === 'sqlite') {
    await sequelize.query(
      `CREATE VIRTUAL TABLE kb_fts USING fts5(search_text, content='kb_entries', content_rowid='id', tokenize='unicode61')`,
    );
    await sequelize.query(`CREATE TRIGGER kb_fts_ai AFTER INSERT ON kb_entries BEGIN
      INSERT INTO kb_fts(rowid, search_text) VALUES (new.id, new.search_text); END`);
    await sequelize.query(`CREATE TRIGGER kb_fts_ad AFTER DELETE ON kb_entries BEGIN
      INSERT INTO kb_fts(kb_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`);
    await sequelize.query(`CREATE TRIGGER kb_fts_au AFTER UPDATE OF search_text ON kb_entries BEGIN
      INSERT INTO kb_fts(kb_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      INSERT INTO kb_fts(rowid, search_text) VALUES (new.id, new.search_text); END`);
  } else {
    await sequelize.query('ALTER TABLE kb_entries ADD FULLTEXT INDEX kb_entries_search_ft (search_text)');
  }
}

export async function down({ sequelize }: MigrationContext) {
  if (sequelize.getDialect() === 'sqlite') {
    for (const t of ['kb_fts_ai', 'kb_fts_ad', 'kb_fts_au']) await sequelize.query(`DROP TRIGGER IF EXISTS ${t}`);
    await sequelize.query('DROP TABLE IF EXISTS kb_fts');
  } else {
    await sequelize.query('ALTER TABLE kb_entries DROP INDEX kb_entries_search_ft');
  }
}
