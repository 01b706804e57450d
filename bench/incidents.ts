/**
 * Major incidents (issue 17): what detection adds to a ticket at 10,000 open tickets, and how fast the widget's
 * known-issue lookup answers, each next to a baseline measured in the same run.
 *
 * - Detection alone: the hook's database work and matching (claim, open incidents, the window's signals, the
 *   decision, the ticket's own signal) inside a transaction, per new ticket, on SQLite with 10,000 open tickets spread
 *   over ten days (a normal day's window), and on a bad day (1,000 tickets in the window).
 * - Tickets through the whole create path with detection on and off (two helpdesks on one database, alternating;
 *   one-person requests, so no incident forms): the baseline detection is added to.
 * - GET /api/incidents/known while typing, with 20 open incidents, next to GET /livez on the same server.
 */
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Helpdesk } from '../server/main.js';
import { createWords, fold } from '../server/incidents/words.js';
import { loadIncidentIssues, loadIssuePhrasings, readJsonl } from '../server/seeds.js';
import { round, type Figure } from './util.js';
import { CENTRES, helpdesk, hookTimes, load, MIN, pick, stats, type Seed } from './incidents-data.js';

export async function benchIncidents(root: string, quick: boolean): Promise<Figure[]> {
  const seeds = readJsonl<Seed>(path.join(root, 'seeds/training-tickets.jsonl'));
  const traits = loadIncidentIssues();
  // For the create path: requests only one person has, so no incident forms and the difference is detection alone.
  const others = seeds.filter((x) => x.issue && !traits.has(x.issue));
  const open = 10_000;
  const k = quick ? 60 : 300;
  const out: Figure[] = [];
  const now = Date.parse('2026-03-02T10:00:00Z');
  let clock = now;
  const tick = () => new Date(clock);

  // 1. A normal day: 10,000 open tickets over ten days (about 20 in any half hour).
  for (const [label, span] of [
    ['normal day: 10,000 open tickets over ten days', 10 * 24 * 60 * MIN],
    ['bad day: 10,000 open tickets, 1,000 in the last half hour', 5 * 60 * MIN],
  ] as const) {
    const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-mi-'));
    const hd = await helpdesk(dir, '3', tick);
    try {
      const incidents = await load(hd, seeds, open, span, now);
      const inWindow = await hd.db.incidentModels.IncidentSignal.count();
      const times = await hookTimes(hd, incidents, seeds, k, now);
      const h = stats(times);
      // One round trip to the database inside a transaction, same run: what the machine's load makes of a query.
      const trip: number[] = [];
      for (let i = 0; i < k; i++)
        await hd.db.sequelize.transaction(async (t) => {
          const t0 = performance.now();
          await hd.db.sequelize.query('SELECT 1', { transaction: t });
          trip.push(performance.now() - t0);
        });
      const rt = stats(trip);
      out.push({
        name: `incident detection per ticket, ${label} (SQLite)`,
        value: h.p50,
        unit: 'ms (p50)',
        target: '≤ 5',
        note: `p95 ${h.p95} ms over ${k} tickets; ${inWindow} signals in the window; one SELECT 1 in a transaction, same run: p50 ${rt.p50} ms (p95 ${rt.p95})`,
      });
    } finally {
      await hd.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // 2. The whole create path with detection on and off, alternating, on one database: the baseline.
  {
    const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-mi-'));
    const on = await helpdesk(dir, '3', tick);
    const off = await helpdesk(dir, '0', tick);
    try {
      await load(on, seeds, open, 10 * 24 * 60 * MIN, now);
      const times = { on: [] as number[], off: [] as number[] };
      for (let i = 0; i < k; i++) {
        clock = now + i * 10_000;
        const order: ['on' | 'off', Helpdesk][] = [
          ['on', on],
          ['off', off],
        ];
        for (const [which, hd] of i % 2 ? order : order.reverse()) {
          const s = pick(others);
          const t0 = performance.now();
          await hd.tickets.create({
            name: 'Bench',
            email: `bench${i}@corp.example`,
            devCenter: pick(CENTRES),
            subject: s.subject,
            issue: s.text,
            channel: 'widget',
          });
          times[which].push(performance.now() - t0);
        }
      }
      const a = stats(times.on);
      const b = stats(times.off);
      out.push({
        name: 'ticket create path with detection (SQLite, 10,000 open)',
        value: a.p50,
        unit: 'ms (p50)',
        note: `p95 ${a.p95} ms; without detection ${b.p50} ms (p95 ${b.p95}), same run, alternating: +${round(a.p50 - b.p50, 2)} ms`,
      });
    } finally {
      await on.stop();
      await off.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // 3. The widget's lookup while typing, over HTTP, with 20 open incidents; /livez on the same server.
  {
    const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-mi-'));
    clock = now;
    const hd = await helpdesk(dir, '3', tick);
    try {
      const words = createWords(loadIssuePhrasings());
      const list = [...traits];
      for (let i = 0; i < 20; i++) {
        const [issue, t] = list[i % list.length]!;
        const text = seeds.find((s) => s.text && s.category)!.text;
        await hd.db.incidentModels.Incident.create({
          ref: null,
          title: `${t.title} ${i}`,
          category: seeds[i * 7]!.category,
          devCenter: t.scope === 'global' ? null : CENTRES[i % CENTRES.length]!,
          scope: t.scope,
          issue,
          openKey: null,
          status: 'open',
          severity: 'high',
          assigneeId: null,
          profile: fold({ n: 0, terms: {} }, words.terms(`${t.title} ${text}`)),
          firstTicketAt: new Date(now - 20 * MIN),
        });
      }
      const port = await hd.listen();
      const base = `http://127.0.0.1:${port}`;
      const typed = others.slice(0, 50).map((s) => s.text.slice(0, 60));
      const time = async (url: (i: number) => string, n: number) => {
        const xs: number[] = [];
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          const r = await fetch(base + url(i));
          await r.arrayBuffer();
          if (!r.ok) throw new Error(`${url(i)}: ${r.status}`);
          xs.push(performance.now() - t0);
        }
        return stats(xs);
      };
      const n = quick ? 200 : 1000;
      await time(() => '/livez', 50);
      const known = await time(
        (i) => `/api/incidents/known?devCenter=Pune&q=${encodeURIComponent(typed[i % typed.length]!)}`,
        n,
      );
      const all = await time(() => '/api/incidents/known?devCenter=Pune', n);
      const live = await time(() => '/livez', n);
      const inProcess: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await hd.tickets.incidents.known({ devCenter: 'Pune', q: typed[i % typed.length]! });
        inProcess.push(performance.now() - t0);
      }
      const ip = stats(inProcess);
      out.push({
        name: 'known-issue lookup while typing, 20 open incidents (HTTP, SQLite)',
        value: known.p95,
        unit: 'ms (p95)',
        target: '≤ 20',
        note: `p50 ${known.p50} ms over ${n}; without text p95 ${all.p95} ms; GET /livez on the same server p95 ${live.p95} ms (p50 ${live.p50}); the lookup itself in-process p50 ${ip.p50} ms, p95 ${ip.p95} ms`,
      });
    } finally {
      await hd.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
