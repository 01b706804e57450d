/**
 * Widget POST /api/tickets under load (autocannon, 50 connections) against the real server, and a bare Hono route
 * (issue 12): the pool route and the AI-answered route apart on SQLite, with the server's CPU per ticket; two server
 * processes on MariaDB with every requester new; and the statements one ticket costs at the driver.
 */
import path from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { freePort, waitForPort } from '../tests/support/dovecot.js';
import { statementsPerTicket } from './http-statements.js';
import { round, sleep, type Figure } from './util.js';

const POOL = 'My laptop docking station stopped charging the laptop since this morning.';
const AI = 'How do I set an automatic out of office reply in Outlook?';
const MARIADB = 'mysql://root@127.0.0.1:3306/';

async function start(
  root: string,
  script: string,
  env: Record<string, string>,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script)], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  await waitForPort(port, 120_000);
  // The helpdesk answers /healthz once migrated and seeded; the port opens only then.
  await sleep(500);
  return { port, child };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100 a second here)
}

function load(
  port: number,
  seconds: number,
  o: { issue: string; newRequesters?: boolean; connections?: number },
): Promise<autocannon.Result> {
  let i = 0;
  const body = (email: string) => JSON.stringify({ name: 'Load Test', email, devCenter: 'Pune', issue: o.issue });
  return autocannon({
    url: `http://127.0.0.1:${port}/api/tickets`,
    connections: o.connections ?? 50,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // All-new requesters: autocannon's id replacement gives every request its own address.
    ...(o.newRequesters
      ? { idReplacement: true, body: body('new.[<id>]@corp.example') }
      : { requests: [{ setupRequest: (req) => ({ ...req, body: body(`load${i++ % 1000}@corp.example`) }) }] }),
  });
}

const ok = (r: autocannon.Result) => r.requests.total - r.non2xx - r.errors;
/**
 * Requests that got no answer count as failures too (a stalled server shows 0 errors otherwise), except the one
 * per connection still in flight when the run stops.
 */
const failed = (r: autocannon.Result, connections = 50) =>
  r.non2xx + r.errors + Math.max(0, r.requests.sent - r.requests.total - connections);

const ENV = {
  SEED_DEMO: 'false',
  WIDGET_RATE_LIMIT: '0',
  // Widget tickets are taken only from the company's domains.
  ALLOWED_REQUESTER_DOMAINS: 'corp.example',
  LOG_LEVEL: 'warn',
  APP_SECRET: 'bench-secret-0123456789abcdef',
};

/** One route on a fresh SQLite helpdesk: throughput, p99, and the server's CPU per ticket created. */
async function sqliteRoute(root: string, seconds: number, issue: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-http-'));
  const hd = await start(root, 'server/main.ts', { ...ENV, DATABASE_URL: `sqlite:${dir}/h.sqlite`, DATA_DIR: dir });
  try {
    await load(hd.port, 1, { issue }); // warm-up
    const cpu0 = cpuSeconds(hd.child.pid!);
    const r = await load(hd.port, seconds, { issue });
    const cpuMs = ((cpuSeconds(hd.child.pid!) - cpu0) * 1000) / Math.max(1, ok(r));
    return { r, cpuMs };
  } finally {
    hd.child.kill('SIGTERM');
  }
}

/** Two server processes on one MariaDB database, 25 connections each, every requester new. */
async function mariadbTwoProcesses(root: string, seconds: number) {
  const name = `hd_bench_http_${process.pid}`;
  const admin = await mysql.createConnection(MARIADB);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const env = { ...ENV, DATABASE_URL: `${MARIADB}${name}`, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'hd-bench-')) };
  const servers: { port: number; child: ChildProcess }[] = [];
  try {
    // One after the other: the first one migrates.
    servers.push(await start(root, 'server/main.ts', env));
    servers.push(await start(root, 'server/main.ts', env));
    const issue = (n: number) => (n % 2 ? AI : POOL);
    await Promise.all(
      servers.map((s, n) => load(s.port, 1, { issue: issue(n), newRequesters: true, connections: 25 })),
    );
    const rs = await Promise.all(
      servers.map((s, n) => load(s.port, seconds, { issue: issue(n), newRequesters: true, connections: 25 })),
    );
    const [rows] = (await admin.query(`SELECT COUNT(*) AS n FROM ${name}.tickets`)) as unknown as [{ n: number }[]];
    const n = rows[0]?.n ?? 0;
    return {
      perSecond: rs.reduce((a, r) => a + r.requests.average, 0),
      p99: Math.max(...rs.map((r) => r.latency.p99)),
      ok: rs.reduce((a, r) => a + ok(r), 0),
      failed: rs.reduce((a, r) => a + failed(r, 25), 0),
      rows: Number(n),
    };
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await sleep(500);
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
}

export async function benchHttp(root: string, seconds: number): Promise<Figure[]> {
  const pool = await sqliteRoute(root, seconds, POOL);
  const ai = await sqliteRoute(root, seconds, AI);
  const bare = await start(root, 'bench/bare-server.ts', {});
  let base: autocannon.Result;
  try {
    base = await load(bare.port, seconds, { issue: POOL });
  } finally {
    bare.child.kill('SIGTERM');
  }
  const ratio = (x: number) => `${round((x / base.requests.average) * 100, 1)}% of the bare route`;
  const maria = await mariadbTwoProcesses(root, seconds).catch((err: Error) => err);
  const statements = await statementsPerTicket();
  const route = (what: string, x: { r: autocannon.Result; cpuMs: number }, target: string): Figure[] => [
    {
      name: `widget POST /api/tickets, ${what} route, 50 connections (SQLite)`,
      value: round(x.r.requests.average, 0),
      unit: 'tickets/s',
      target,
      note: `p99 ${x.r.latency.p99} ms; ${ok(x.r)} tickets created, ${failed(x.r)} failed; ${ratio(x.r.requests.average)}; each one triaged, routed${what === 'AI' ? ', answered' : ''} and its mail queued`,
    },
    {
      name: `server CPU per ticket, ${what} route (SQLite, in-process)`,
      value: round(x.cpuMs, 3),
      unit: 'ms',
      target: '≤ 0.5 ms',
      note: 'user + system time of the server process over the run, divided by the tickets created',
    },
  ];
  return [
    ...route('pool', pool, '≥ 2,000 tickets/s, p99 ≤ 60 ms'),
    ...route('AI', ai, '≥ 800 tickets/s, p99 ≤ 120 ms'),
    {
      name: 'bare Hono route, same machine, same run',
      value: round(base.requests.average, 0),
      unit: 'req/s',
      note: `p99 ${base.latency.p99} ms`,
    },
    maria instanceof Error
      ? {
          name: 'widget POST, MariaDB, two processes, all-new requesters, c=50',
          value: 'n/a',
          unit: '',
          note: maria.message,
        }
      : {
          name: 'widget POST, MariaDB, two processes, all-new requesters, c=50',
          value: round(maria.perSecond, 0),
          unit: 'tickets/s',
          target: '≥ 800 tickets/s, 0 errors',
          note: `p99 ${maria.p99} ms; ${maria.ok} created (${maria.rows} rows), ${maria.failed} failed; ${ratio(maria.perSecond)}; half pool, half AI`,
        },
    ...statements,
  ];
}
