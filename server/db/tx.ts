/**
 * Transactions that are safe to retry (issue 12, item 1): the one way the server runs a transaction.
 *
 * InnoDB ends a deadlock by rolling back the whole transaction (ER_LOCK_DEADLOCK, 1213) and a lock wait timeout by
 * rolling back the statement (ER_LOCK_WAIT_TIMEOUT, 1205); SQLite tells a writer that waited past busy_timeout
 * SQLITE_BUSY (across processes; in one process database.ts queues the transactions). The only retry that is safe
 * in every case is the whole transaction from its first statement: a statement retried alone runs after the
 * rollback, in autocommit or in what is left of the transaction (sequelize#15109). So the callback runs again from
 * the start in a fresh transaction, a bounded number of times with jittered backoff, and anything it does must be
 * safe to repeat: its writes were rolled back, mail is queued in the outbox inside the same transaction, and
 * nothing leaves the process from inside one (no HTTP, no SMTP).
 *
 * Connection loss is not retried here: after a lost COMMIT nobody knows whether it committed.
 *
 * A room of its own on the lowest layer (tools/check-rooms.ts) so every room can use it, server/http included.
 */
import type { Sequelize, Transaction, TransactionOptions } from 'sequelize';

/** The part of a pino logger this needs (the logging module sits beside this one on the lowest layer). */
interface RetryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RetryOptions {
  /** Attempts in all, the first one included (default 5). */
  attempts?: number;
  /** The backoff before attempt n+1 is uniform in [0, min(capMs, baseMs · 2^(n-1))) ("full jitter"). */
  baseMs?: number;
  capMs?: number;
  log?: RetryLog;
}

const DEFAULTS = { attempts: 5, baseMs: 15, capMs: 400 };
/** The logger createDatabase gave each instance, so call sites need not pass one. */
const logs = new WeakMap<object, RetryLog>();

/** Lets transactions on `sequelize` log their retries (createDatabase calls it). */
export function logRetriesOf(sequelize: Sequelize, log: RetryLog) {
  logs.set(sequelize, log);
}

const MYSQL_CONFLICT = new Set([1213, 1205]);
const CONFLICT_CODE = /^(ER_LOCK_DEADLOCK|ER_LOCK_WAIT_TIMEOUT|SQLITE_BUSY)/;

/**
 * What kind of lock conflict `err` is, or null: Sequelize's errors (the driver's in `parent`/`original`), the
 * drivers' own (mysql2, sqlite3, better-sqlite3) and errors that carry one as `cause`.
 */
export function lockConflict(err: unknown): string | null {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const x = e as { errno?: unknown; code?: unknown; sqlState?: unknown; parent?: unknown; cause?: unknown };
    if (typeof x.errno === 'number' && MYSQL_CONFLICT.has(x.errno)) return x.errno === 1213 ? 'deadlock' : 'lock_wait';
    if (typeof x.code === 'string' && CONFLICT_CODE.test(x.code)) return x.code.startsWith('SQLITE') ? 'busy' : x.code;
    // SQLSTATE 40001: serialization failure, the standard's name for "roll back and run it again".
    if (x.sqlState === '40001') return 'deadlock';
    e = x.parent ?? x.cause;
  }
  return null;
}

/** Runs `attempt` until it succeeds, fails with something other than a lock conflict, or the bound is reached. */
export async function retryOnConflict<T>(attempt: (n: number) => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const { attempts, baseMs, capMs } = { ...DEFAULTS, ...o };
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const kind = lockConflict(err);
      if (!kind || n >= attempts) {
        if (kind) o.log?.warn({ kind, attempts: n }, 'transaction gave up after lock conflicts');
        throw err;
      }
      const ms = Math.random() * Math.min(capMs, baseMs * 2 ** (n - 1));
      o.log?.info({ kind, attempt: n, backoffMs: Math.round(ms) }, 'transaction retried after a lock conflict');
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}

/**
 * Runs fn in a managed transaction and, on a deadlock, lock wait timeout or SQLITE_BUSY, runs the whole of it again
 * in a new one (see the top of this file: fn must be safe to repeat).
 */
export function transaction<T>(
  sequelize: Sequelize,
  fn: (t: Transaction) => Promise<T>,
  o: RetryOptions & { options?: TransactionOptions } = {},
): Promise<T> {
  const { options, ...retry } = o;
  return retryOnConflict(() => (options ? sequelize.transaction(options, fn) : sequelize.transaction(fn)), {
    log: logs.get(sequelize),
    ...retry,
  });
}
