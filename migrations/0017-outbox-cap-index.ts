/**
 * The per-address cap counts an address's automatic mails queued or sent in the last 3 hours (outbox-row.ts). On
 * (limit_key, created_at) the count also walks every suppressed mail to that address in the window — and an address
 * over the cap gets nothing but suppressed ones, so a busy address slowed every ticket (issue 12). With automatic and
 * status in the index, the count reads only the rows it counts, and stops at the cap.
 */
import type { MigrationContext } from '../server/db/migrate.js';

const NAME = 'outbox_limit_key_automatic_status_created_at';

export async function up({ queryInterface: q }: MigrationContext) {
  await q.addIndex('outbox', ['limit_key', 'automatic', 'status', 'created_at'], { name: NAME });
}

export async function down({ queryInterface: q }: MigrationContext) {
  await q.removeIndex('outbox', NAME);
}
