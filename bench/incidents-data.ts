/** What the incident benchmark runs on: helpdesks on a temp SQLite file, open tickets and their signals, the hook. */
import { loadConfig } from '../server/config.js';
import type { Category } from '../server/domain/vocabulary.js';
import { createIncidents } from '../server/incidents/incidents.js';
import { createWords } from '../server/incidents/words.js';
import { silentLogger } from '../server/log.js';
import { buildHelpdesk, type Helpdesk } from '../server/main.js';
import { loadIncidentIssues, loadIssuePhrasings } from '../server/seeds.js';
import { percentile, round } from './util.js';

export const CENTRES = ['Pune', 'Bengaluru', 'Hyderabad', 'Kraków', 'Lisbon', 'Austin'];
export const MIN = 60_000;

export interface Seed {
  subject?: string;
  text: string;
  category: string;
  issue?: string;
}

let seed = 17;
export const rnd = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
export const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
export const stats = (xs: number[]) => ({ p50: round(percentile(xs, 50), 3), p95: round(percentile(xs, 95), 3) });

export function helpdesk(dir: string, minTickets: string, clock: () => Date) {
  return buildHelpdesk(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${dir}/i.sqlite`,
      DATA_DIR: dir,
      SEED_DEMO: 'false',
      APP_SECRET: 'bench-secret-0123456789abcdef',
      INCIDENT_MIN_TICKETS: minTickets,
      DEFLECTION_RATE_LIMIT: '0',
    }),
    { log: silentLogger, clock },
  );
}

/** Open tickets (and, for those in the window, their detection signals) straight into the tables. */
export async function load(hd: Helpdesk, seeds: Seed[], n: number, spanMs: number, now: number) {
  const { Requester, Ticket } = hd.db.models;
  const people = await Requester.bulkCreate(
    Array.from({ length: 2000 }, (_, i) => ({
      email: `p${i}@corp.example`,
      name: `Person ${i}`,
      devCenter: pick(CENTRES),
    })),
  );
  const incidents = createIncidents({
    models: hd.db.incidentModels,
    traits: loadIncidentIssues(),
    words: createWords(loadIssuePhrasings()),
    issues: () => [],
    config: { windowMinutes: 30, minTickets: 3 },
    clock: () => new Date(now),
  });
  for (let done = 0; done < n; done += 500) {
    const rows = Array.from({ length: Math.min(500, n - done) }, () => {
      const s = pick(seeds);
      return {
        ref: null,
        subject: s.subject ?? 'help',
        description: s.text,
        channel: 'email' as const,
        status: 'open' as const,
        severity: 'medium' as const,
        urgency: 'medium' as const,
        category: s.category as Category,
        sentiment: null,
        intent: null,
        summary: null,
        route: 'pool' as const,
        assigneeId: null,
        requesterId: pick(people).id,
        devCenter: pick(CENTRES),
        classifier: 'local',
        confidence: 0.8,
        createdAt: new Date(now - Math.floor(rnd() * spanMs)),
      };
    });
    const made = await Ticket.bulkCreate(rows);
    await hd.db.sequelize.transaction(async (t) => {
      for (const tk of made.filter((x) => now - x.createdAt.getTime() < 30 * MIN))
        await incidents.detection.record(
          t,
          incidents.signal({
            ticketId: tk.id,
            requesterEmail: `p${tk.requesterId}@corp.example`,
            category: tk.category,
            devCenter: tk.devCenter,
            text: `${tk.subject}\n${tk.description}`,
            issue: {
              name: pick(['vpn-cant-connect', 'printer-offline', 'password-reset', 'app-crash']),
              strength: 1 + rnd() * 3,
            },
            runnerUp: null,
            createdAt: tk.createdAt,
          }),
          null,
        );
    });
  }
  return incidents;
}

/** Detection alone, per new ticket: the hook's work in its own transaction. */
export async function hookTimes(
  hd: Helpdesk,
  incidents: ReturnType<typeof createIncidents>,
  seeds: Seed[],
  k: number,
  now: number,
) {
  const { Ticket } = hd.db.models;
  const times: number[] = [];
  for (let i = 0; i < k; i++) {
    const s = pick(seeds);
    const tk = await Ticket.create({
      ref: null,
      subject: s.subject ?? 'help',
      description: s.text,
      channel: 'widget',
      status: 'open',
      severity: 'medium',
      urgency: 'medium',
      category: s.category as Category,
      sentiment: null,
      intent: null,
      summary: null,
      route: 'pool',
      assigneeId: null,
      requesterId: 1 + Math.floor(rnd() * 2000),
      devCenter: pick(CENTRES),
      classifier: 'local',
      confidence: 0.8,
      createdAt: new Date(now),
    });
    // Timed inside the transaction: the hook runs in the create path's own triage transaction, so its begin and
    // commit are not detection's cost.
    await hd.db.sequelize.transaction(async (t) => {
      const t0 = performance.now();
      const sig = incidents.signal({
        ticketId: tk.id,
        requesterEmail: `new${i}@corp.example`,
        category: tk.category,
        devCenter: tk.devCenter,
        text: `${tk.subject}\n${tk.description}`,
        issue: { name: 'app-crash', strength: 0.5 },
        runnerUp: null,
        createdAt: tk.createdAt,
      });
      await incidents.detection.detect(t, sig);
      await incidents.detection.record(t, sig, null);
      times.push(performance.now() - t0);
    });
  }
  return times;
}
