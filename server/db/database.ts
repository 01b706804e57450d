/** The Sequelize instance: SQLite file by default, MySQL/MariaDB through mysql2 in production. */
import path from 'node:path';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import sqlite3 from 'sqlite3';
import { Sequelize, Transaction, type Options } from 'sequelize';
import type { Logger } from '../log.js';
import { logRetriesOf } from './tx.js';

export type Dialect = 'sqlite' | 'mysql';

/**
 * sqlite3 opens one connection per Sequelize transaction, so per-connection settings must be applied in the
 * driver itself: WAL lets readers run beside the writer, and busyTimeout makes a second writer wait instead of
 * failing with SQLITE_BUSY.
 */
function sqliteModule(busyTimeoutMs: number) {
  class Database extends sqlite3.Database {
    constructor(file: string, mode: number, cb: (err: Error | null) => void) {
      super(file, mode, (err) => {
        if (!err) {
          this.configure('busyTimeout', busyTimeoutMs);
          if (file !== ':memory:') this.run('PRAGMA journal_mode=WAL');
          this.run('PRAGMA synchronous=NORMAL');
        }
        cb(err);
      });
    }
  }
  return { ...sqlite3, Database };
}

/**
 * The database holds every ticket and the hashes of every session: readable by its owner only, like the secrets.
 * The file is created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the database file's mode.
 * Files left 0644 by an older version are tightened.
 */
function privateFile(file: string) {
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/**
 * Creates (but does not migrate) the database connection for a DATABASE_URL. busyTimeoutMs: how long a SQLite writer
 * waits for another process's write lock before SQLITE_BUSY (tests shorten it).
 */
export function createDatabase(databaseUrl: string, log?: Logger, o: { busyTimeoutMs?: number } = {}): Sequelize {
  const sequelize = open(databaseUrl, o.busyTimeoutMs ?? 15_000, log);
  if (log) logRetriesOf(sequelize, log);
  return noStatementRetryInTransactions(sequelize);
}

function open(databaseUrl: string, busyTimeoutMs: number, log?: Logger): Sequelize {
  const logging: Options['logging'] = log ? (sql) => log.trace({ sql }, 'sql') : false;
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '') || ':memory:';
    if (file !== ':memory:') {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      privateFile(file);
    }
    return serializeTransactions(
      new Sequelize({
        dialect: 'sqlite',
        storage: file,
        dialectModule: sqliteModule(busyTimeoutMs),
        logging,
        // Take the write lock when the transaction begins: a deferred transaction that reads and then writes
        // can fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
        transactionType: Transaction.TYPES.IMMEDIATE,
        define: { underscored: true },
        // Statements outside a transaction only (see noStatementRetryInTransactions): a read that met a
        // checkpoint or a recovery. Writers wait in busy_timeout and transactions are retried whole (tx.ts).
        retry: { max: 5, match: [/SQLITE_BUSY/] },
      }),
    );
  }
  const url = databaseUrl.replace(/^mariadb:/, 'mysql:');
  return new Sequelize(url, {
    dialect: 'mysql',
    logging,
    timezone: '+00:00',
    define: { underscored: true, charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
    dialectOptions: { charset: 'utf8mb4', connectTimeout: 5_000 },
    pool: { max: 10, min: 0, acquire: 15_000, idle: 10_000 },
    // A restarted MariaDB drops pooled connections; a statement outside a transaction that meets one is retried
    // on a fresh connection (inside a transaction nothing is: see noStatementRetryInTransactions). Safe because
    // the usual case is a connection the server closed while it sat idle in the pool, so the statement never
    // reached it; one that dies mid-statement may have run, and the autocommit writes here are idempotent
    // (leases, claims and statuses set to a value) or a rate-limit count that may then be one too high. Deadlocks
    // are not in this list: they roll back a whole transaction, and tx.ts retries that whole.
    retry: {
      max: 4,
      match: [
        /ECONNREFUSED/,
        /ECONNRESET/,
        /PROTOCOL_CONNECTION_LOST/,
        /EPIPE/,
        /closed state/,
        /SequelizeConnectionError/,
      ],
    },
  });
}

/**
 * SQLite has one writer at a time, and node-sqlite3 waits for the lock (busy timeout) inside libuv's small
 * thread pool: fifty concurrent transactions would park every pool thread in a wait while the one holding the
 * lock cannot get a thread to commit. Managed transactions therefore queue here, in the event loop, instead.
 */
function serializeTransactions(sequelize: Sequelize): Sequelize {
  const original = sequelize.transaction.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  /** Runs fn when every managed transaction queued before it has ended; later ones wait for fn. */
  const turn = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
  turns.set(sequelize, turn);
  // Serialized, so every transaction can reuse one connection instead of opening the file anew each time.
  const cm = sequelize.connectionManager as unknown as {
    getConnection(o?: { uuid?: string }): Promise<unknown>;
    releaseConnection(): Promise<void>;
  };
  const get = cm.getConnection.bind(cm);
  cm.getConnection = (o = {}) => get({ ...o, uuid: o.uuid && o.uuid !== 'default' ? 'tx' : o.uuid });
  cm.releaseConnection = async () => undefined; // closed with the Sequelize instance
  (sequelize as { transaction: unknown }).transaction = (...args: unknown[]) => {
    if (typeof args[args.length - 1] !== 'function') return original(...args); // unmanaged: caller's business
    return turn(() => original(...args));
  };
  return sequelize;
}

/**
 * A statement inside a transaction is never retried on its own: after a deadlock InnoDB has rolled the transaction
 * back, after a lost connection it is gone, and the statement would run in autocommit or against what is left
 * (sequelize#15109). The whole transaction is retried instead (tx.ts). Sequelize merges a query's own `retry`
 * over the instance's, so one attempt is set per statement here.
 */
function noStatementRetryInTransactions(sequelize: Sequelize): Sequelize {
  const query = sequelize.query.bind(sequelize) as (sql: unknown, options?: Record<string, unknown>) => unknown;
  (sequelize as { query: unknown }).query = (sql: unknown, options?: Record<string, unknown>) =>
    query(sql, options?.transaction ? { ...options, retry: { ...(options.retry as object), max: 1 } } : options);
  return sequelize;
}

const turns = new WeakMap<Sequelize, <T>(fn: () => Promise<T>) => Promise<T>>();

/**
 * The in-process write queue of a SQLite database, for a second writer on the same file (db/fast-sql.ts): its
 * driver waits for the lock synchronously, so were it to wait while one of our own Sequelize transactions holds
 * the lock, that transaction could never finish. Taking its turn here, it never does. On MySQL: no queue.
 */
export const writeTurn = (sequelize: Sequelize): (<T>(fn: () => Promise<T>) => Promise<T>) =>
  turns.get(sequelize) ?? ((fn) => fn());

/** Which dialect a Sequelize instance talks to. */
export function dialectOf(sequelize: Sequelize): Dialect {
  return sequelize.getDialect() === 'sqlite' ? 'sqlite' : 'mysql';
}

/** True when the database answers a trivial query (health checks). */
export const databaseUp = (sequelize: Sequelize) =>
  sequelize.query('SELECT 1').then(
    () => true,
    () => false,
  );

/**
 * On MySQL, a message larger than max_allowed_packet cannot be stored: it is quarantined, and the operator should
 * know at start rather than from a failed email.
 */
export async function warnIfPacketTooSmall(sequelize: Sequelize, mailMaxBytes: number, log: Logger) {
  if (dialectOf(sequelize) !== 'mysql') return;
  const [[row]] = (await sequelize.query('SELECT @@max_allowed_packet AS p')) as [{ p: number }[], unknown];
  // Base64 and the row around it: a stored message needs about 1.4 times its size.
  if (Number(row?.p) < mailMaxBytes * 1.4) {
    log.warn(
      { maxAllowedPacket: Number(row?.p), mailMaxBytes },
      'MySQL max_allowed_packet is smaller than MAIL_MAX_BYTES needs; larger emails will be quarantined',
    );
  }
}
