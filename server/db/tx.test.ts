/**
 * The retried transaction against the real databases: a real deadlock on MariaDB (two transactions locking two rows
 * in opposite order) and a real SQLITE_BUSY on SQLite (another connection holds the write lock), each answered by
 * running the whole callback again, its first attempt's writes rolled back; a conflict that lasts gives up after the
 * bound; any other error is not retried at all.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { createDatabase } from './database.js';
import { lockConflict, transaction } from './tx.js';

describe(`transactions retried whole (${process.env.DATABASE_URL?.split(':')[0] ?? 'sqlite'})`, () => {
  let db: TestDb;
  let sql: Sequelize;
  const mysql = () => db.dialect === 'mysql';
  const rows = async () =>
    (await sql.query<{ note: string }>('SELECT note FROM tx_log ORDER BY id', { type: QueryTypes.SELECT })).map(
      (r) => r.note,
    );
  const insert = (t: Transaction, note: string) =>
    sql.query('INSERT INTO tx_log (note) VALUES (:note)', { replacements: { note }, transaction: t });

  beforeAll(async () => {
    db = await createTestDb({ migrate: false });
    // On SQLite a writer waits 150 ms (not 15 s) for another connection's write lock before SQLITE_BUSY.
    sql = db.dialect === 'sqlite' ? createDatabase(db.url, undefined, { busyTimeoutMs: 150 }) : db.sequelize;
    const auto = mysql() ? 'INTEGER PRIMARY KEY AUTO_INCREMENT' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    await sql.query(`CREATE TABLE tx_log (id ${auto}, note VARCHAR(50) NOT NULL UNIQUE)`);
    await sql.query('CREATE TABLE tx_rows (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await sql.query('INSERT INTO tx_rows (id, n) VALUES (1, 0), (2, 0)');
  });
  afterAll(async () => {
    if (sql !== db?.sequelize) await sql?.close();
    await db?.cleanup();
  });
  beforeEach(async () => {
    await sql.query('DELETE FROM tx_log');
  });

  it.runIf(process.env.DATABASE_URL?.startsWith('mysql') || process.env.DATABASE_URL?.startsWith('mariadb'))(
    'runs the whole callback again after a real InnoDB deadlock, and commits each transaction once',
    async () => {
      const runs = { a: 0, b: 0 };
      let aHasRow1!: () => void;
      let bHasRow2!: () => void;
      const aLocked = new Promise<void>((r) => (aHasRow1 = r));
      const bLocked = new Promise<void>((r) => (bHasRow2 = r));
      const lock = (t: Transaction, id: number) =>
        sql.query('UPDATE tx_rows SET n = n + 1 WHERE id = :id', { replacements: { id }, transaction: t });
      const [a, b] = await Promise.all([
        transaction(sql, async (t) => {
          runs.a++;
          await insert(t, `a${runs.a}`);
          await lock(t, 1);
          aHasRow1();
          await bLocked;
          await lock(t, 2);
          return 'a';
        }),
        transaction(sql, async (t) => {
          runs.b++;
          await insert(t, `b${runs.b}`);
          await lock(t, 2);
          bHasRow2();
          await aLocked;
          await lock(t, 1);
          return 'b';
        }),
      ]);
      expect([a, b]).toEqual(['a', 'b']);
      // One of them was chosen as the deadlock victim and ran again; the other ran once.
      expect(runs.a + runs.b).toBe(3);
      // The victim's first attempt left nothing behind (its insert was rolled back with it, not kept in autocommit).
      const notes = await rows();
      expect(notes.sort()).toEqual([`a${runs.a}`, `b${runs.b}`].sort());
      const n = await sql.query<{ n: number }>('SELECT n FROM tx_rows ORDER BY id', { type: QueryTypes.SELECT });
      expect(n.map((r) => Number(r.n))).toEqual([2, 2]);
    },
  );

  /** A lock another connection holds (as another server process would): row `id` on MySQL, the write lock on SQLite. */
  async function holdLock(id: number): Promise<() => Promise<void>> {
    // On SQLite another connection of the same library (two copies of SQLite in one process, better-sqlite3 beside
    // node-sqlite3, do not see each other's POSIX locks at all).
    const other = createDatabase(db.url);
    const held = await other.transaction();
    await other.query(
      mysql() ? 'SELECT n FROM tx_rows WHERE id = :id FOR UPDATE' : 'UPDATE tx_rows SET n = n WHERE id = :id',
      { replacements: { id }, transaction: held },
    );
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      await held.rollback();
      await other.close();
    };
  }

  const retriesLogged = () => {
    const seen: string[] = [];
    return {
      seen,
      log: { info: (_: object, msg: string) => seen.push(msg), warn: (_: object, m: string) => seen.push(m) },
    };
  };

  it('runs the whole callback again after a lock conflict that ends, its first writes rolled back', async () => {
    let runs = 0;
    const release = await holdLock(1);
    const { seen, log } = retriesLogged();
    // MySQL: the first attempt writes, then its lock wait times out (1205) and the retry finds the row free. SQLite:
    // the first BEGIN IMMEDIATE meets SQLITE_BUSY after the busy timeout; the lock is gone before the second ends.
    const freed = mysql() ? null : setTimeout(() => void release(), 250);
    const result = await transaction(
      sql,
      async (t) => {
        runs++;
        await insert(t, `run${runs}`);
        if (mysql()) await sql.query('SET SESSION innodb_lock_wait_timeout = 1', { transaction: t });
        if (mysql() && runs === 2) await release();
        await sql.query('UPDATE tx_rows SET n = n + 1 WHERE id = 1', { transaction: t });
        return runs;
      },
      { log },
    );
    if (freed) clearTimeout(freed);
    await release();
    expect(seen).toContain('transaction retried after a lock conflict');
    expect(result).toBe(mysql() ? 2 : 1);
    expect(await rows()).toEqual([`run${result}`]);
  });

  it('gives up after the bound with the conflict as the error', async () => {
    let runs = 0;
    const release = await holdLock(2);
    const { seen, log } = retriesLogged();
    try {
      const err = await transaction(
        sql,
        async (t) => {
          runs++;
          if (mysql()) await sql.query('SET SESSION innodb_lock_wait_timeout = 1', { transaction: t });
          await insert(t, `run${runs}`);
          await sql.query('UPDATE tx_rows SET n = n + 1 WHERE id = 2', { transaction: t });
        },
        { attempts: 3, log },
      ).catch((e: unknown) => e);
      expect(lockConflict(err)).toBe(mysql() ? 'lock_wait' : 'busy');
      expect(seen).toEqual([
        'transaction retried after a lock conflict',
        'transaction retried after a lock conflict',
        'transaction gave up after lock conflicts',
      ]);
      expect(runs).toBe(mysql() ? 3 : 0); // on SQLite BEGIN IMMEDIATE is what meets the lock
    } finally {
      await release();
    }
    expect(await rows()).toEqual([]);
  });

  it('does not retry other errors, and rolls back what the callback wrote', async () => {
    let runs = 0;
    await insert(null as unknown as Transaction, 'taken');
    const err = await transaction(sql, async (t) => {
      runs++;
      await insert(t, 'fresh');
      await insert(t, 'taken'); // unique violation
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('SequelizeUniqueConstraintError');
    expect(runs).toBe(1);
    expect(await rows()).toEqual(['taken']);
  });

  it('recognises the drivers’ own conflict errors, and nothing else', () => {
    expect(lockConflict({ errno: 1213, code: 'ER_LOCK_DEADLOCK' })).toBe('deadlock');
    expect(lockConflict({ name: 'SequelizeDatabaseError', parent: { errno: 1205 } })).toBe('lock_wait');
    expect(lockConflict(new Error('wrapped', { cause: { code: 'SQLITE_BUSY' } }))).toBe('busy');
    expect(lockConflict({ code: 'SQLITE_BUSY_SNAPSHOT' })).toBe('busy');
    expect(lockConflict({ errno: 1062, code: 'ER_DUP_ENTRY' })).toBeNull();
    expect(lockConflict(new Error('Deadlock found when trying to get lock'))).toBeNull(); // codes, not messages
    expect(lockConflict(null)).toBeNull();
  });
});
