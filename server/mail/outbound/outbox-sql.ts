/**
 * Queuing mail through the fast create path's own SQL (db/fast-sql.ts), inside its transaction: the same rows and
 * the same per-address cap as Outbox.enqueue, in one multi-row INSERT.
 */
import type { FastSql, Sql } from '../../db/fast-sql.js';
import { CAP_SQL, outboxRow, type QueuedMail, type RowDeps } from './outbox-row.js';

const COLUMNS = [
  'ticket_id',
  'kind',
  'to_addr',
  'limit_key',
  'subject',
  'text',
  'html',
  'headers',
  'email_message_id',
  'automatic',
  'status',
  'attempts',
  'next_attempt_at',
  'last_error',
  'created_at',
  'updated_at',
];
const ROW = `(${COLUMNS.map(() => '?').join(', ')})`;

/** Queues mails in q's transaction. */
export async function enqueueSql(
  deps: RowDeps,
  fast: Pick<FastSql, 'date'>,
  q: Sql,
  mails: QueuedMail[],
  now: Date,
): Promise<void> {
  if (!mails.length) return;
  const at = fast.date(now);
  const params: unknown[] = [];
  for (const mail of mails) {
    const r = await outboxRow(deps, mail, now, async (key, since) => {
      const [row] = await q.all<{ n: number }>(CAP_SQL, [key, fast.date(since)]);
      return Number(row?.n);
    });
    params.push(
      r.ticketId,
      r.kind,
      r.toAddr,
      r.limitKey,
      r.subject,
      r.text,
      r.html,
      JSON.stringify(r.headers),
      r.emailMessageId,
      r.automatic,
      r.status,
      0,
      at,
      r.lastError,
      at,
      at,
    );
  }
  await q.run(
    `INSERT INTO \`outbox\` (${COLUMNS.map((c) => `\`${c}\``).join(', ')}) VALUES ${mails.map(() => ROW).join(', ')}`,
    params,
  );
}
