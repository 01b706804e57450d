/** KB search fetches the template articles of the issues the issue model guesses: index them by issue. */
import type { MigrationContext } from '../server/db/migrate.js';

export async function up({ queryInterface }: MigrationContext) {
  await queryInterface.addIndex('kb_entries', ['issue', 'source'], { name: 'kb_entries_issue_source' });
}

export async function down({ queryInterface }: MigrationContext) {
  await queryInterface.removeIndex('kb_entries', 'kb_entries_issue_source');
}
