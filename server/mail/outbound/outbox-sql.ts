/**
 * Queuing mail through the fast create path's own SQL (db/fast-sql.ts), inside its transaction: the same rows and
 * the same per-address cap as Outbox.enqueue, in one multi-row INSERT.
 */
import type { FastSql, Sql } from '../../db/fast-sql.js';
import { AUTO_LIMIT, CAP_SQL, outboxRow, type QueuedMail, type RowDeps } from './outbox-row.js';

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
const INSERT = `INSERT INTO \`outbox\` (${COLUMNS.map((c) => `\`${c}\``).join(', ')})`;
const STATUS = COLUMNS.indexOf('status');
const LAST_ERROR = COLUMNS.indexOf('last_error');
const CAPPED_ERROR = `more than ${AUTO_LIMIT.count} automatic mails to this address in 3 hours`;
/**
 * An automatic mail with the per-address cap in the same statement (SQLite): the bounded count (CAP_SQL's) in a
 * derived table; RETURNING says what it decided.
 */
const CAPPED =
  `${INSERT} SELECT ${COLUMNS.map((_, i) =>
    i === STATUS
      ? `CASE WHEN capped.n >= ${AUTO_LIMIT.count} THEN 'suppressed' ELSE 'queued' END`
      : i === LAST_ERROR
        ? `CASE WHEN capped.n >= ${AUTO_LIMIT.count} THEN '${CAPPED_ERROR}' ELSE NULL END`
        : '?',
  ).join(', ')} FROM (${CAP_SQL.replace(/ capped$/, ' recent')}) capped ` + 'RETURNING `status`';

/**
 * Queues mails in q's transaction: on SQLite one statement per automatic mail (its cap inside) and one for the
 * rest; on MySQL the count, then one INSERT for all.
 */
export async function enqueueSql(
  deps: RowDeps,
  fast: Pick<FastSql, 'date'>,
  q: Sql,
  mails: QueuedMail[],
  now: Date,
): Promise<void> {
  const at = fast.date(now);
  const since = fast.date(new Date(now.getTime() - AUTO_LIMIT.windowMs));
  const plain: unknown[][] = [];
  // MariaDB fails such an INSERT … SELECT on the table it reads under concurrent inserts ("Failed to read
  // auto-increment value from storage engine"): there the count is its own statement.
  const inline = q.dialect === 'sqlite';
  for (const mail of mails) {
    let counted = false;
    const r = await outboxRow(deps, mail, now, async (key, after) => {
      if (inline) {
        counted = true;
        return 0;
      }
      const [row] = await q.all<{ n: number }>(CAP_SQL, [key, fast.date(after)]);
      return Number(row?.n);
    });
    const values = [
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
    ];
    if (!counted) {
      plain.push(values);
      continue;
    }
    const params = values.filter((_, i) => i !== STATUS && i !== LAST_ERROR);
    const [row] = await q.all<{ status: string }>(CAPPED, [...params, r.limitKey, since]);
    if (row?.status === 'suppressed') {
      deps.log.warn(
        { to: mail.to, ticketId: mail.ticketId, kind: mail.kind },
        'automatic mail suppressed by the per-sender limit',
      );
    }
  }
  if (plain.length) await q.run(`${INSERT} VALUES ${plain.map(() => ROW).join(', ')}`, plain.flat());
}
