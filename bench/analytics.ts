/**
 * Analytics summary benchmark: a year of N tickets in a fresh MariaDB database `hd_bench_analytics`, then the
 * p50/p95 of the summary over a few runs (target for 1,000,000 tickets: ≤ 300 ms). Loading is a bulk import:
 * the roll-up triggers are dropped, tickets go in as multi-row INSERTs, the triggers come back and the roll-up
 * is rebuilt once — the same path an operator takes for an import. Run alone: `npx tsx bench/analytics.ts [rows]`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sequelize } from 'sequelize';
import { createDatabase } from '../server/db/database.js';
import { migrateUp } from '../server/db/migrate.js';
import { ANALYTICS_TABLES, rebuildAnalytics, triggerStatements, TRIGGERS } from '../server/analytics/rollup.js';
import { createAnalyticsQueries } from '../server/analytics/queries.js';
import type { AnalyticsFilter } from '../server/analytics/filter.js';

const DB = 'hd_bench_analytics';
const CHUNK = 5000;
const CENTRES = ['Pune', 'Bengaluru', 'Hyderabad', 'Kraków', 'Lisbon', 'Austin'];
const CATS = [
  'Access & Authentication',
  'Collaboration Tools',
  'Hardware / Device',
  'Networking & Connectivity',
  'Security & Compliance',
  'Software / Applications',
];

export interface AnalyticsBenchResult {
  rows: number;
  loadMs: number;
  rebuildMs: number;
  p50: number;
  p95: number;
  filteredP50: number;
  medians: string;
  runs: number;
}

const sqlDate = (ms: number) => `'${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function timeRuns(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  await fn(); // warm-up: buffer pool and statement caches
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Loads `rows` tickets spread over the last year and measures the summary; prints one line and returns the figures. */
export async function benchAnalytics(opts: {
  rows: number;
  databaseUrl: string;
  runs?: number;
  keep?: boolean;
}): Promise<AnalyticsBenchResult> {
  const runs = opts.runs ?? 9;
  const base = new URL(opts.databaseUrl.replace(/^mariadb:/, 'mysql:'));
  const server = `mysql://${base.username}${base.password ? ':' + base.password : ''}@${base.host}`;
  const admin = new Sequelize(`${server}/`, { dialect: 'mysql', logging: false });
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const sequelize = createDatabase(`${server}/${DB}`);
  try {
    await migrateUp(sequelize);
    await sequelize.query(
      `INSERT INTO requesters (email, name, dev_center, created_at, updated_at) VALUES ('bench@corp.example', 'Bench', 'Pune', NOW(3), NOW(3))`,
    );
    const agents = CATS.map(
      (c, i) => `('AI ${i}', 'ai${i}@corp.example', 'ai', '${c}', '[]', 'agent', 1, NOW(3), NOW(3))`,
    );
    await sequelize.query(
      `INSERT INTO agents (name, email, kind, category, skills, role, active, created_at, updated_at) VALUES ${agents.join(', ')}, ('Human', 'h@corp.example', 'human', NULL, '[]', 'agent', 1, NOW(3), NOW(3))`,
    );

    const t0 = performance.now();
    for (const t of TRIGGERS) await sequelize.query(`DROP TRIGGER IF EXISTS ${t}`);
    const now = Date.now();
    const H = 3_600_000;
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (let done = 0; done < opts.rows; done += CHUNK) {
      const values: string[] = [];
      for (let i = 0; i < Math.min(CHUNK, opts.rows - done); i++) {
        const created = now - Math.floor(rnd() * 365 * 24 * H);
        const cat = Math.floor(rnd() * CATS.length);
        const route = rnd() < 0.45 ? 'ai' : rnd() < 0.7 ? 'it_team' : 'pool';
        const resolvedAt = created + (route === 'ai' ? rnd() * 2 * H : rnd() * 40 * H);
        const done2 = resolvedAt < now && rnd() < 0.9;
        const frt = created + (route === 'ai' ? rnd() * 30_000 : rnd() * 4 * H);
        const assignee = route === 'ai' ? cat + 1 : route === 'it_team' ? CATS.length + 1 : 'NULL';
        const by = done2 ? `'${route === 'ai' && rnd() < 0.85 ? 'ai' : 'it_team'}'` : 'NULL';
        values.push(
          `('s', 'd', 'email', '${done2 ? 'closed' : 'open'}', 'low', 'low', '${CATS[cat]}', '${route}', ${assignee}, 1, '${CENTRES[Math.floor(rnd() * CENTRES.length)]}', ${rnd() < 0.05 ? 1 : 0}, ${by}, ${sqlDate(created)}, ${sqlDate(created)}, ${frt < now ? sqlDate(frt) : 'NULL'}, ${done2 ? sqlDate(resolvedAt) : 'NULL'})`,
        );
      }
      await sequelize.query(
        `INSERT INTO tickets (subject, description, channel, status, severity, urgency, category, route, assignee_id, requester_id, dev_center, escalated, resolved_by, created_at, updated_at, first_response_at, resolved_at) VALUES ${values.join(',')}`,
      );
    }
    await sequelize.query(
      `INSERT INTO feedback (ticket_id, score, created_at, updated_at) SELECT id, 1 + (id * 7) % 5, resolved_at, resolved_at FROM tickets WHERE resolved_at IS NOT NULL AND id % 5 < 3`,
    );
    const defl = Math.max(10, Math.round(opts.rows / 50));
    for (let done = 0; done < defl; done += CHUNK) {
      const values = Array.from(
        { length: Math.min(CHUNK, defl - done) },
        () =>
          `(NULL, 'q', '${CENTRES[Math.floor(rnd() * CENTRES.length)]}', ${sqlDate(now - Math.floor(rnd() * 365 * 24 * H))}, NOW(3))`,
      );
      await sequelize.query(
        `INSERT INTO deflections (kb_entry_id, query, dev_center, created_at, updated_at) VALUES ${values.join(',')}`,
      );
    }
    for (const sql of triggerStatements('mysql')) await sequelize.query(sql);
    const loadMs = performance.now() - t0;
    const r0 = performance.now();
    await rebuildAnalytics(sequelize);
    const rebuildMs = performance.now() - r0;
    await sequelize.query(`ANALYZE TABLE ${[...ANALYTICS_TABLES, 'tickets', 'deflections'].join(', ')}`);

    const queries = createAnalyticsQueries({ sequelize });
    const today = new Date(now).toISOString().slice(0, 10);
    const year: AnalyticsFilter = { from: new Date(now - 364 * 24 * H).toISOString().slice(0, 10), to: today };
    const medians = (await queries.summary(year)).medians;
    const times = await timeRuns(() => queries.summary(year), runs);
    const filtered = await timeRuns(() => queries.summary({ ...year, devCenter: 'Pune', category: CATS[2] }), runs);
    const result: AnalyticsBenchResult = {
      rows: opts.rows,
      loadMs: Math.round(loadMs),
      rebuildMs: Math.round(rebuildMs),
      p50: Math.round(pct(times, 50)),
      p95: Math.round(pct(times, 95)),
      filteredP50: Math.round(pct(filtered, 50)),
      medians,
      runs,
    };
    process.stdout.write(
      `analytics summary, ${opts.rows.toLocaleString('en')} tickets over a year on MariaDB: p50 ${result.p50} ms, p95 ${result.p95} ms (medians ${medians}); centre+category filter p50 ${result.filteredP50} ms; load ${(loadMs / 1000).toFixed(1)} s, roll-up rebuild ${(rebuildMs / 1000).toFixed(1)} s\n`,
    );
    return result;
  } finally {
    await sequelize.close();
    if (!opts.keep) await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
    await admin.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchAnalytics({
    rows: Number(process.argv[2] ?? 100_000),
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306',
    keep: process.env.KEEP === '1',
  });
}
