/**
 * Folds analytics_pending into the roll-ups: a job (server/main.ts) runs it every second under a lease, so only one
 * process writes the roll-up rows, in batches, outside every ticket transaction. Readers add the rows not folded
 * yet (queries.ts), so when it runs changes only how many rows they read, never a figure.
 *
 * Exactly once, even with two folds at the same time: on MySQL each batch is the ids this transaction saw
 * committed, locked by primary key (FOR UPDATE SKIP LOCKED, so a second fold leaves them to the first), summed
 * and deleted by the same ids (MariaDB ≥ 10.6 or MySQL ≥ 8.0 for SKIP LOCKED). READ COMMITTED, so no gap lock
 * ever stops a ticket writer appending behind them; a row still uncommitted when the batch is chosen is simply
 * left for the next one. SQLite has one writer at a time.
 */
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { dialectOf } from '../db/database.js';
import { transaction as tx } from '../db/tx.js';
import { monthOf, PENDING_TABLE, pendingVal, ROLLUPS } from './rollup-sql.js';
import { cols, upsertTail } from './rollup.js';

const BATCH = 5000;

/** Folds every pending row committed when it starts; returns how many were folded. */
export async function foldAnalytics(sequelize: Sequelize, batch = BATCH): Promise<number> {
  const d = dialectOf(sequelize);
  const ids = (sql: string, transaction: Transaction, replacements: Record<string, unknown> = {}) =>
    sequelize
      .query<{ id: number }>(sql, { type: QueryTypes.SELECT, transaction, replacements })
      .then((rows) => rows.map((r) => Number(r.id)));
  // Mostly there is nothing to fold: found out without a transaction (on SQLite that would take the write lock).
  const any = await sequelize.query(`SELECT id FROM ${PENDING_TABLE} LIMIT 1`, { type: QueryTypes.SELECT });
  if (!any.length) return 0;
  let total = 0;
  for (;;) {
    const opts = d === 'mysql' ? { isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED } : {};
    const n = await tx(
      sequelize,
      async (transaction) => {
        const seen = await ids(`SELECT id FROM ${PENDING_TABLE} ORDER BY id LIMIT ${batch}`, transaction);
        if (!seen.length) return { seen: 0, folded: 0 };
        // SKIP LOCKED: rows another fold has just locked are its own. The ids as a table joined by primary key
        // (eq_ref), one exact look-up each: with `id IN (…)` the range scan also reads each id's next row, and waits
        // when that is a ticket writer's row not committed yet.
        const list =
          `JSON_TABLE(:json, '$[*]' COLUMNS (id BIGINT PATH '$')) j ` +
          `STRAIGHT_JOIN ${PENDING_TABLE} p ON p.id = j.id`;
        const mine =
          d === 'mysql'
            ? await ids(`SELECT p.id FROM ${list} FOR UPDATE SKIP LOCKED`, transaction, { json: JSON.stringify(seen) })
            : seen;
        if (!mine.length) return { seen: seen.length, folded: 0 }; // another fold took them all: look again
        // SQLite: this transaction holds the write lock, so the range is exactly the rows just read.
        const from = d === 'mysql' ? list : `${PENDING_TABLE} p`;
        const where = d === 'mysql' ? '1 = 1' : 'p.id <= :last';
        const replacements = { json: JSON.stringify(mine), last: mine[mine.length - 1] };
        for (const t of ROLLUPS) {
          const when = t.time === 'day' ? 'p.day' : monthOf(d, 'p.day');
          const keys = [when, ...t.key.slice(1).map((k) => `p.${k}`)];
          const groups = keys.map((_, i) => i + 1).join(', ');
          await sequelize.query(
            `INSERT INTO ${t.table} (${cols(t)})
           SELECT ${[...keys, ...t.sums.map((c) => `SUM(${pendingVal(c, 'p')})`)].join(', ')}
           FROM ${from} WHERE ${where} GROUP BY ${groups} ${upsertTail(d, t)}`,
            { transaction, replacements },
          );
        }
        const del = d === 'mysql' ? `DELETE p FROM ${from}` : `DELETE FROM ${PENDING_TABLE} WHERE id <= :last`;
        await sequelize.query(del, { transaction, replacements });
        return { seen: seen.length, folded: mine.length };
      },
      { options: opts },
    );
    total += n.folded;
    if (n.seen < batch) return total;
  }
}
