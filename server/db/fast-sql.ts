/**
 * Our own SQL beside Sequelize, for the one path where the ORM costs more than the query: creating a ticket
 * (issue 12). A model insert costs about ten times the statement's own CPU; a prepared statement (node-sqlite3's
 * Statement, mysql2's `execute`, kept per connection) costs the query and one driver round trip. Sequelize keeps
 * the schema (migrations), the reads and every rarer write.
 *
 * On SQLite, writes that arrive within the same moment share one transaction (group commit): one BEGIN IMMEDIATE
 * and one COMMIT for the batch, each caller in its own SAVEPOINT, so a failing one rolls back alone and gets its
 * own error. On MySQL every call is its own transaction on a pooled connection (InnoDB groups the fsyncs itself),
 * retried whole on a deadlock or lock wait timeout — never statement by statement.
 */
import mysql from 'mysql2/promise';
import { ConnectionError, type Sequelize } from 'sequelize';
import sqlite3 from 'sqlite3';
import { writeTurn, type Dialect } from './database.js';
import { retryOnConflict } from './tx.js';

export interface SqlRun {
  changes: number;
  /** The id the last INSERT generated (the first row's on MySQL for a multi-row INSERT). */
  lastId: number;
}

/** Statements inside a transaction (or, for read(), outside one). `?` placeholders; backticks quote on both. */
export interface Sql {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<SqlRun>;
}

export interface FastSql {
  readonly dialect: Dialect;
  /** Runs fn in a transaction (shared with others arriving at once on SQLite, each in its own savepoint). */
  group<T>(fn: (q: Sql) => Promise<T>): Promise<T>;
  /** A read outside any transaction: committed rows only. */
  read<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A date as the column holds it (Sequelize's own format, so its reads and comparisons agree). */
  date(d: Date): string;
  /** A date column's value as read. */
  parseDate(v: unknown): Date;
  /** Statements sent to the driver so far, transaction control included (tests and the bench count them). */
  readonly counts: { statements: number; transactions: number };
  close(): Promise<void>;
}

/** A unique-key violation, by either driver's code. */
export const isUniqueViolation = (err: unknown) => {
  const e = err as { code?: string; message?: string } | null;
  // node-sqlite3 reports the primary code (SQLITE_CONSTRAINT) and names the kind in the message.
  if (e?.code === 'SQLITE_CONSTRAINT') return /UNIQUE constraint failed|PRIMARY KEY/.test(String(e.message));
  return e?.code === 'ER_DUP_ENTRY';
};

const bind = (params: readonly unknown[] = []) =>
  params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));

/** The most callers one group transaction takes; the rest wait for the next one. */
const GROUP_MAX = 256;
/** How long a group waits for others to join it (ms): what a ticket gives up in latency, alone. */
const GROUP_WAIT_MS = 1;

/** Opens the fast path for a DATABASE_URL, or null where it cannot share the database (SQLite in memory). */
export function createFastSql(databaseUrl: string, sequelize: Sequelize): FastSql | null {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '') || ':memory:';
    return file === ':memory:' ? null : sqliteFast(file, writeTurn(sequelize));
  }
  return mysqlFast(databaseUrl);
}

function sqliteFast(file: string, turn: <T>(fn: () => Promise<T>) => Promise<T>): FastSql {
  // node-sqlite3, the driver Sequelize uses, on purpose: two copies of SQLite in one process (better-sqlite3 beside
  // it) do not see each other's POSIX locks, so one's write can go through while the other holds the write lock
  // and then be lost without an error (fast-sql.test.ts guards it). One library shares one lock table.
  const open = () => {
    const db = new sqlite3.Database(file);
    // Statements issued before the file is open wait for it (node-sqlite3 queues them).
    db.configure('busyTimeout', 5000);
    db.run('PRAGMA journal_mode = WAL');
    db.run('PRAGMA synchronous = NORMAL');
    // As Sequelize's connections have it: a ticket's requester must exist.
    db.run('PRAGMA foreign_keys = ON');
    return db;
  };
  const db = open();
  const reader = open();
  const counts = { statements: 0, transactions: 0 };
  // Prepared once per SQL text and connection; a statement that fails to prepare is not kept.
  const cache = new Map<string, Promise<sqlite3.Statement>>();
  const readCache = new Map<string, Promise<sqlite3.Statement>>();
  const prep = (c: sqlite3.Database, m: Map<string, Promise<sqlite3.Statement>>, sql: string) => {
    let st = m.get(sql);
    if (!st) {
      st = new Promise<sqlite3.Statement>((resolve, reject) => {
        const made: sqlite3.Statement = c.prepare(sql, (err) => {
          if (!err) return resolve(made);
          m.delete(sql);
          reject(err);
        });
      });
      m.set(sql, st);
    }
    counts.statements++;
    return st;
  };
  const allOn = async <T>(
    c: sqlite3.Database,
    m: Map<string, Promise<sqlite3.Statement>>,
    sql: string,
    params?: readonly unknown[],
  ) => {
    const st = await prep(c, m, sql);
    return new Promise<T[]>((resolve, reject) =>
      st.all(bind(params), (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows))),
    );
  };
  let inTransaction = false;
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) => {
      counts.statements++;
      db.exec(sql, (err) => {
        if (sql === 'ROLLBACK' || (sql === 'COMMIT' && !err)) inTransaction = false;
        else if (sql.startsWith('BEGIN') && !err) inTransaction = true;
        if (err) reject(err);
        else resolve();
      });
    });
  /** Rolls back what is open; SQLite may have done so itself (after SQLITE_FULL, say), which is no error here. */
  const rollback = () => (inTransaction ? exec('ROLLBACK').catch(() => undefined) : Promise.resolve());
  const q: Sql = {
    dialect: 'sqlite',
    all: <T>(sql: string, params?: readonly unknown[]) => allOn<T>(db, cache, sql, params),
    async run(sql, params) {
      const st = await prep(db, cache, sql);
      return new Promise<SqlRun>((resolve, reject) =>
        st.run(bind(params), function (this: sqlite3.RunResult, err: Error | null) {
          if (err) reject(err);
          else resolve({ changes: this.changes, lastId: this.lastID });
        }),
      );
    },
  };

  interface Job {
    fn: (q: Sql) => Promise<unknown>;
    resolve: (v: unknown) => void;
    reject: (e: unknown) => void;
  }
  const pending: Job[] = [];
  let running: Promise<void> | null = null;
  let closed = false;

  async function runGroup(jobs: Job[]) {
    const results: { ok: boolean; v: unknown }[] = [];
    try {
      await exec('BEGIN IMMEDIATE');
      counts.transactions++;
      // Alone in its transaction, a caller's failure rolls the whole of it back: no savepoint needed.
      if (jobs.length === 1) {
        let v: unknown;
        try {
          v = await jobs[0]!.fn(q);
        } catch (err) {
          await rollback();
          results.push({ ok: false, v: err });
        }
        if (!results.length) {
          await exec('COMMIT');
          results.push({ ok: true, v });
        }
      }
      for (const job of jobs.length > 1 ? jobs : []) {
        await exec('SAVEPOINT g');
        try {
          results.push({ ok: true, v: await job.fn(q) });
          await exec('RELEASE g');
        } catch (err) {
          await exec('ROLLBACK TO g');
          await exec('RELEASE g');
          results.push({ ok: false, v: err });
        }
      }
      if (jobs.length > 1) await exec('COMMIT');
    } catch (err) {
      await rollback();
      for (const job of jobs) job.reject(err);
      return;
    }
    jobs.forEach((job, i) => {
      const r = results[i]!;
      if (r.ok) job.resolve(r.v);
      else job.reject(r.v);
    });
  }

  /**
   * One group at a time: it waits a moment for company, then for its turn in the write queue, and takes whatever
   * arrived meanwhile; what arrives while it runs makes the next one.
   */
  function kick() {
    if (running || !pending.length || closed) return;
    running = new Promise<void>((done) =>
      setTimeout(() => {
        void turn(() => runGroup(pending.splice(0, GROUP_MAX))).finally(() => {
          running = null;
          done();
          kick();
        });
      }, GROUP_WAIT_MS),
    );
  }

  return {
    dialect: 'sqlite',
    counts,
    group: <T>(fn: (q: Sql) => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        if (closed) throw new Error('the database is closed');
        pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        kick();
      }),
    read: <T>(sql: string, params?: readonly unknown[]) => allOn<T>(reader, readCache, sql, params),
    // Sequelize's SQLite dialect writes DATETIME as text with the offset: '2026-12-01 23:35:47.497 +00:00'.
    date: (d) => `${d.toISOString().slice(0, 23).replace('T', ' ')} +00:00`,
    parseDate,
    /** Lets the running group finish; what still waits for one fails (it was never written). */
    async close() {
      closed = true;
      await running;
      for (const job of pending.splice(0)) job.reject(new Error('the database is closed'));
      const finalize = (m: Map<string, Promise<sqlite3.Statement>>) =>
        [...m.values()].map((p) =>
          p.then(
            (st) => new Promise<void>((r) => st.finalize(() => r())),
            () => undefined,
          ),
        );
      await Promise.all([...finalize(cache), ...finalize(readCache)]);
      await Promise.all([db, reader].map((c) => new Promise<void>((r) => c.close(() => r()))));
    },
  };
}

function parseDate(v: unknown): Date {
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(s) ? s.replace(' ', 'T').replace(' ', '') : `${s.replace(' ', 'T')}Z`);
}

/** The server went away (restart, failover): the transaction died with the connection; a fresh one may work. */
const CONNECTION = /ECONNREFUSED|ECONNRESET|PROTOCOL_CONNECTION_LOST|EPIPE|ETIMEDOUT|ER_CON_COUNT_ERROR|closed state/;
const code = (err: unknown) => `${(err as { code?: string }).code ?? ''} ${(err as Error).message ?? ''}`;

function mysqlFast(databaseUrl: string): FastSql {
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  const pool = mysql.createPool({
    host: url.hostname,
    port: Number(url.port) || 3306,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    dateStrings: true,
    connectionLimit: 20,
  });
  const counts = { statements: 0, transactions: 0 };
  const on = (c: mysql.Pool | mysql.PoolConnection): Sql => ({
    dialect: 'mysql',
    async all<T>(sql: string, params?: readonly unknown[]) {
      counts.statements++;
      const [rows] = await c.execute(sql, bind(params) as never[]);
      return rows as T[];
    },
    async run(sql, params) {
      counts.statements++;
      const [r] = (await c.execute(sql, bind(params) as never[])) as unknown as [mysql.ResultSetHeader];
      return { changes: r.affectedRows, lastId: r.insertId };
    },
  });
  const reads = on(pool);

  async function once<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
    const c = await pool.getConnection();
    try {
      counts.statements++;
      counts.transactions++;
      await c.query('START TRANSACTION');
      try {
        const v = await fn(on(c));
        counts.statements++;
        await c.query('COMMIT').catch((err: unknown) => {
          // Lost during COMMIT, nobody knows whether it committed: such a failure must not be run again.
          throw Object.assign(err as Error, { atCommit: true });
        });
        return v;
      } catch (err) {
        counts.statements++;
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      c.release();
    }
  }

  return {
    dialect: 'mysql',
    counts,
    async group<T>(fn: (q: Sql) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          // A deadlock or lock wait timeout: the whole transaction again, as every transaction is (db/tx.ts).
          return await retryOnConflict(() => once(fn));
        } catch (err) {
          const lost = CONNECTION.test(code(err));
          // Lost before COMMIT was sent (a restarted server): nothing of it was committed, a fresh connection may
          // run it. Lost at COMMIT: it may have committed, so it is not run again.
          const again = lost && !(err as { atCommit?: boolean }).atCommit && attempt < 4;
          if (again) {
            await new Promise((r) => setTimeout(r, Math.random() * 50 * attempt));
            continue;
          }
          // The HTTP layer answers a ConnectionError with a retryable 503, as it does for Sequelize's own.
          throw lost ? new ConnectionError(err as Error) : err;
        }
      }
    },
    read: <T>(sql: string, params?: readonly unknown[]) =>
      reads.all<T>(sql, params).catch((err) => {
        throw CONNECTION.test(code(err)) ? new ConnectionError(err as Error) : err;
      }),
    date: (d) => d.toISOString().slice(0, 23).replace('T', ' '),
    parseDate,
    close: () => pool.end(),
  };
}
