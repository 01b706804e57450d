/**
 * Statements per widget ticket, counted at the drivers (tests/support/statements.ts) in an in-process helpdesk:
 * one POST alone (warm), and the average over a burst (group commit shares BEGIN/COMMIT on SQLite; the roster and
 * its once-a-second reload are amortised). Data statements and transaction control apart.
 */
import mysql from 'mysql2/promise';
import { startTestServer, type TestServer } from '../tests/support/server.js';
import { countStatements } from '../tests/support/statements.js';
import { round, type Figure } from './util.js';

const ISSUES = {
  pool: 'My laptop docking station stopped charging the laptop since this morning.',
  AI: 'How do I set an automatic out of office reply in Outlook?',
};

async function measure(s: TestServer, issue: string, tag: string) {
  const post = (email: string) =>
    s.api('/api/tickets', { method: 'POST', json: { name: 'Bench', email, devCenter: 'Pune', issue } });
  await post(`${tag}-warm@corp.example`);
  await s.hd.tickets.roster();
  let c = countStatements();
  await post(`${tag}-warm@corp.example`);
  c.stop();
  const one = { data: c.data.length, all: c.all.length };
  const n = 200;
  c = countStatements();
  for (let i = 0; i < n; i += 20) {
    await Promise.all(Array.from({ length: 20 }, (_, k) => post(`${tag}${(i + k) % 50}@corp.example`)));
  }
  c.stop();
  return { one, data: c.data.length / n, all: c.all.length / n };
}

async function dialect(name: 'SQLite' | 'MariaDB', env: Record<string, string>): Promise<Figure[]> {
  const s = await startTestServer({ ...env, WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  try {
    const out: Figure[] = [];
    for (const [route, issue] of Object.entries(ISSUES)) {
      const m = await measure(s, issue, route.toLowerCase());
      out.push({
        name: `statements per widget ticket at the driver, ${route} route (${name})`,
        value: m.one.data,
        unit: 'statements',
        target: '≤ 8',
        note: `one POST alone: ${m.one.data} data + ${m.one.all - m.one.data} transaction control; in bursts of 20: ${round(m.data, 2)} data, ${round(m.all, 2)} in all per ticket`,
      });
    }
    return out;
  } finally {
    await s.stop();
  }
}

export async function statementsPerTicket(): Promise<Figure[]> {
  const figures = await dialect('SQLite', {});
  const db = `hd_bench_stmts_${process.pid}`;
  const admin = await mysql.createConnection('mysql://root@127.0.0.1:3306/').catch(() => null);
  if (!admin) return figures;
  try {
    await admin.query(`CREATE DATABASE ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    figures.push(...(await dialect('MariaDB', { DATABASE_URL: `mysql://root@127.0.0.1:3306/${db}` })));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.end();
  }
  return figures;
}
