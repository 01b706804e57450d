/**
 * What the analytics roll-up costs the write path (issue 12, item 6): tickets written as the ticket service writes
 * them (the ticket INSERT, then an UPDATE that sets its first response), with no roll-up, with the triggers as they
 * were before migration 0020 (upserting the roll-up rows) and as they are now (appending to analytics_pending).
 * - SQLite, through better-sqlite3 so the figure is the database's work, not the ORM's: CPU µs per ticket, one
 *   ticket per transaction and fifty (group commit). Now includes folding the pending rows into the roll-ups
 *   (server/analytics/fold.ts) as the job does, so what the write path hands off is counted too.
 * - MariaDB: `writers` connections writing at once; InnoDB's row-lock waits (Innodb_row_lock_waits, a server-wide
 *   counter, so other load on the server counts too) and tickets per second.
 * Run alone: `npx tsx bench/rollup.ts [tickets] [writers]`.
 */
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { Sequelize } from 'sequelize';
import { createDatabase, dialectOf } from '../server/db/database.js';
import { migrateUp } from '../server/db/migrate.js';
import { triggerStatements, TRIGGERS } from '../server/analytics/rollup.js';
import { foldAnalytics } from '../server/analytics/fold.js';
import { round, sleep, type Figure } from './util.js';

const CATS = ['Access & Authentication', 'Hardware / Device', 'Software / Applications'];
const INSERT = `INSERT INTO tickets (subject, description, channel, status, severity, urgency, category, route, assignee_id,
  requester_id, dev_center, escalated, created_at, updated_at) VALUES (?, ?, 'api', 'open', 'low', 'low', ?, 'pool', NULL, 1,
  'Pune', 0, ?, ?)`;
const ANSWER = 'UPDATE tickets SET first_response_at = ?, updated_at = ? WHERE id = ?';
const stamp = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

/** How the roll-up is kept: not at all, by triggers writing the roll-up rows (before 0020), or as now. */
type Variant = 'none' | 'rollups' | 'pending';

async function migrated(url: string, variant: Variant) {
  const s = createDatabase(url);
  await migrateUp(s);
  for (const t of TRIGGERS) await s.query(`DROP TRIGGER IF EXISTS ${t}`);
  if (variant !== 'none') for (const sql of triggerStatements(dialectOf(s), variant)) await s.query(sql);
  await s.query(
    `INSERT INTO requesters (email, name, dev_center, created_at, updated_at) VALUES ('b@corp.example', 'B', 'Pune', '2026-01-01', '2026-01-01')`,
  );
  return s;
}

/** CPU µs per ticket on SQLite (all of it in this process), `group` tickets per transaction. */
async function sqlitePerTicket(tickets: number, variant: Variant, group: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-rollup-'));
  const file = path.join(dir, 'r.sqlite');
  try {
    const s = await migrated(`sqlite:${file}`, variant);
    const fold = variant === 'pending';
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const ins = db.prepare(INSERT);
    const ans = db.prepare(ANSWER);
    const some = db.transaction((from: number) => {
      for (let i = from; i < from + group; i++) {
        const at = stamp(new Date(Date.UTC(2026, 0, 1) + i * 1000));
        const id = ins.run('s', 'd', CATS[i % CATS.length], at, at).lastInsertRowid;
        ans.run(at, at, id);
      }
    });
    const c0 = process.cpuUsage();
    for (let i = 0; i < tickets; i++) {
      if (i % group === 0) some(i);
      // The fold job's share, at the rate the job would run it (every 1,000 tickets here).
      if (fold && i % 1000 === 999) await foldAnalytics(s);
    }
    if (fold) await foldAnalytics(s);
    const c = process.cpuUsage(c0);
    const us = (c.user + c.system) / tickets;
    db.close();
    await s.close();
    return us;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Row-lock waits and tickets/s on MariaDB with `writers` concurrent connections (and the fold job running). */
async function mariadb(tickets: number, writers: number, variant: Variant) {
  const name = 'hd_bench_rollup';
  const admin = new Sequelize('mysql://root@127.0.0.1:3306/', { dialect: 'mysql', logging: false });
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const s = await migrated(`mysql://root@127.0.0.1:3306/${name}`, variant);
  const pool = mysql.createPool({ host: '127.0.0.1', user: 'root', database: name, connectionLimit: writers });
  const waits = async () =>
    Number(((await pool.query("SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_waits'"))[0] as { Value: string }[])[0]!.Value);
  let next = 0;
  const w0 = await waits();
  const t0 = performance.now();
  let writing = true;
  const folding = (async () => {
    while (variant === 'pending' && writing) await Promise.all([foldAnalytics(s), sleep(200)]);
  })();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const c = await pool.getConnection();
      try {
        for (let i = next++; i < tickets; i = next++) {
          const at = stamp(new Date(Date.UTC(2026, 0, 1) + i * 1000));
          await c.beginTransaction();
          const [r] = await c.execute(INSERT, ['s', 'd', CATS[i % CATS.length]!, at, at]);
          await c.execute(ANSWER, [at, at, (r as { insertId: number }).insertId]);
          await c.commit();
        }
      } finally {
        c.release();
      }
    }),
  );
  const perS = tickets / ((performance.now() - t0) / 1000);
  writing = false;
  await folding;
  const lockWaits = (await waits()) - w0;
  await pool.end();
  await s.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.close();
  return { perS, lockWaits };
}

export async function benchRollup(tickets: number, writers = 16): Promise<Figure[]> {
  const lite = { none: [0, 0], rollups: [0, 0], pending: [0, 0] };
  for (const v of ['none', 'rollups', 'pending'] as const)
    for (const [i, group] of [1, 50].entries()) lite[v][i] = await sqlitePerTicket(tickets, v, group);
  const cost = (v: Variant, i: number) => round(lite[v][i]! - lite.none[i]!, 0);
  const my = {
    none: await mariadb(tickets, writers, 'none'),
    rollups: await mariadb(tickets, writers, 'rollups'),
    pending: await mariadb(tickets, writers, 'pending'),
  };
  return [
    {
      name: `SQLite CPU cost of the analytics roll-up per ticket, one ticket per transaction`,
      value: cost('pending', 0),
      unit: 'µs',
      note: `its fold included; ${round(lite.none[0]!, 0)} µs per ticket without any roll-up; triggers upserting the roll-ups (before): ${cost('rollups', 0)} µs`,
    },
    {
      name: `same, 50 tickets per transaction (group commit)`,
      value: cost('pending', 1),
      unit: 'µs',
      note: `${round(lite.none[1]!, 0)} µs per ticket without any roll-up; before: ${cost('rollups', 1)} µs`,
    },
    {
      name: `MariaDB row-lock waits, ${writers} writers, ${tickets.toLocaleString('en')} tickets`,
      value: my.pending.lockWaits,
      unit: 'waits',
      note: `${my.none.lockWaits} without the roll-up, ${my.rollups.lockWaits} with triggers upserting it (before); tickets/s ${round(my.pending.perS, 0)}, ${round(my.none.perS, 0)} and ${round(my.rollups.perS, 0)}`,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of await benchRollup(Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 16)))
    process.stdout.write(`${f.name}: ${f.value} ${f.unit} (${f.note})\n`);
}
