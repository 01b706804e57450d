/**
 * The fast path's own connection beside Sequelize's, in one process: a write of Sequelize's while a fast-path group
 * holds the write lock waits for it and is kept. (With a second copy of SQLite in the process, better-sqlite3, it
 * went through at once without seeing the lock and was then lost: issue 12's write path.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { createFastSql, isUniqueViolation, type FastSql } from './fast-sql.js';

describe(`fast path beside Sequelize (${process.env.DATABASE_URL?.split(':')[0] ?? 'sqlite'})`, () => {
  let db: TestDb;
  let fast: FastSql;
  beforeAll(async () => {
    db = await createTestDb();
    fast = createFastSql(db.url, db.sequelize)!;
  });
  afterAll(async () => {
    await fast?.close();
    await db?.cleanup();
  });
  const insert = 'INSERT INTO requesters (email, name, created_at, updated_at) VALUES (?, ?, ?, ?)';
  const now = () => fast.date(new Date());

  it('keeps a Sequelize write made while a group holds the write lock', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let inGroup!: () => void;
    const started = new Promise<void>((r) => {
      inGroup = r;
    });
    const group = fast.group(async (q) => {
      await q.run(insert, ['first@corp.example', 'First', now(), now()]);
      inGroup();
      await held;
    });
    await started;
    const other = db.sequelize.query(
      "INSERT INTO requesters (email, name, created_at, updated_at) VALUES ('second@corp.example', 'Second', :t, :t)",
      { replacements: { t: now() } },
    );
    await new Promise((r) => setTimeout(r, 100));
    release();
    await Promise.all([group, other]);
    const rows = await fast.read<{ email: string }>(
      "SELECT email FROM requesters WHERE email IN ('first@corp.example', 'second@corp.example') ORDER BY email",
    );
    expect(rows.map((r) => r.email)).toEqual(['first@corp.example', 'second@corp.example']);
  });

  it('tells a unique violation from other errors, on either driver', async () => {
    await fast.group((q) => q.run(insert, ['dup@corp.example', 'Dup', now(), now()]));
    const err = await fast.group((q) => q.run(insert, ['dup@corp.example', 'Dup', now(), now()])).catch((e) => e);
    expect(isUniqueViolation(err)).toBe(true);
    const other = await fast.group((q) => q.run('INSERT INTO no_such_table VALUES (1)')).catch((e) => e);
    expect(other).toBeInstanceOf(Error);
    expect(isUniqueViolation(other)).toBe(false);
  });
});
