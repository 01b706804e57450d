/**
 * Demo history for a first start (SEED_DEMO): six weeks of tickets across development centres, routes, feedback
 * and resolution times, drawn from the seed dataset, so the analytics page and the console have something to show.
 * Only runs on an empty ticket table; deterministic (fixed seed), relative to the clock.
 */
import type { Agents, RosterFile } from '../agents/agents.js';
import type { Models } from '../db/models.js';
import type { Kb } from '../kb/entries.js';
import type { Logger } from '../log.js';
import { LEVELS, refFor, type Category, type Level } from '../domain/vocabulary.js';
import { DEMO_EMAIL_DOMAIN } from '../domain/address.js';

const FIRST = [
  'Priya',
  'Marek',
  'Ana',
  'Rahul',
  'Sofia',
  'Jan',
  'Aisha',
  'Tom',
  'Meera',
  'Lukas',
  'Chen',
  'Olga',
  'Diego',
  'Nina',
  'Karthik',
  'Emma',
];
const LAST = [
  'Sharma',
  'Kowalski',
  'Silva',
  'Verma',
  'Costa',
  'Nowak',
  'Khan',
  'Baker',
  'Nair',
  'Schmidt',
  'Wei',
  'Ivanova',
  'Lopez',
  'Berg',
  'Reddy',
  'Moore',
];

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Loads the demo history when the ticket table is empty. */
/** A labelled ticket text to draw demo tickets from. */
export interface DemoExample {
  category: Category;
  subject?: string;
  text: string;
  severity: Level;
  urgency: Level;
}

export interface DemoDeps {
  models: Models;
  agents: Agents;
  kb: Kb;
  roster: RosterFile;
  /** The labelled seed tickets the history is drawn from. */
  examples: readonly DemoExample[];
  clock: () => Date;
  log: Logger;
  count?: number;
}

/**
 * Written straight into the tables (this room owns them) with back-dated timestamps: running six weeks of history
 * through triage and the outbox would mail invented people and take minutes.
 */
export async function seedDemo(deps: DemoDeps) {
  const { models, roster } = deps;
  if ((await models.Ticket.count()) > 0) return 0;
  const rnd = prng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const seeds = deps.examples;
  const agents = await deps.agents.active();
  const ai = new Map(agents.filter((a) => a.kind === 'ai').map((a) => [a.category, a]));
  const humans = agents.filter((a) => a.kind === 'human' && a.skills.length);
  const now = deps.clock().getTime();
  const n = deps.count ?? 420;
  const H = 3600_000;

  const requesters = await models.Requester.bulkCreate(
    Array.from({ length: 60 }, (_, i) => {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[(i * 7) % LAST.length]!;
      return {
        name: `${first} ${last}`,
        email: `${first}.${last}${i}@${DEMO_EMAIL_DOMAIN}`.toLowerCase(),
        devCenter: roster.devCenters[i % roster.devCenters.length]!,
      };
    }),
  );

  let made = 0;
  for (let i = 0; i < n; i++) {
    const s = pick(seeds);
    const r = pick(requesters);
    const created = new Date(now - rnd() * 42 * 24 * H);
    const low = s.severity === 'low' && s.urgency === 'low';
    const high = LEVELS.indexOf(s.severity) >= 2;
    const route = low && rnd() < 0.85 ? 'ai' : high || rnd() < 0.55 ? 'it_team' : 'pool';
    const human = humans.filter((h) => h.skills.includes(s.category));
    const assignee =
      route === 'ai' ? ai.get(s.category)! : route === 'it_team' ? pick(human.length ? human : humans) : null;
    // Some centres are slower (a bottleneck to find on the analytics page).
    const slow = r.devCenter === 'Hyderabad' ? 2.5 : 1;
    const firstResponse = new Date(
      created.getTime() + (route === 'ai' ? 5_000 + rnd() * 20_000 : (0.2 + rnd() * 3) * H * slow),
    );
    const resolveAfter = route === 'ai' ? (0.05 + rnd() * 1.5) * H : (1 + rnd() * 30) * H * slow;
    const resolvedAt = new Date(created.getTime() + resolveAfter);
    const done = resolvedAt.getTime() < now && rnd() < 0.92;
    const escalated = !done && now - created.getTime() > 24 * H;
    const t = await models.Ticket.create(
      {
        ref: null,
        subject: s.subject ?? s.text.slice(0, 80),
        description: s.text,
        channel: rnd() < 0.6 ? 'email' : 'widget',
        status: done ? 'closed' : route === 'ai' ? 'waiting_on_user' : 'open',
        severity: s.severity,
        urgency: s.urgency,
        category: s.category,
        sentiment: high ? 'negative' : 'neutral',
        intent: 'incident',
        summary: s.text.slice(0, 160),
        route: escalated && route !== 'it_team' ? 'it_team' : route,
        assigneeId: assignee?.id ?? null,
        requesterId: r.id,
        devCenter: r.devCenter,
        classifier: 'local',
        confidence: 0.6 + rnd() * 0.4,
        escalated,
        escalatedAt: escalated ? new Date(created.getTime() + 24 * H) : null,
        resolution: done ? 'Resolved (demo history).' : null,
        resolvedBy: done ? (route === 'ai' ? 'ai' : 'it_team') : null,
        firstResponseAt: firstResponse.getTime() < now ? firstResponse : null,
        resolvedAt: done ? resolvedAt : null,
        closedAt: done ? resolvedAt : null,
        createdAt: created,
        updatedAt: done ? resolvedAt : created,
      },
      { silent: true },
    );
    await t.update({ ref: refFor(t.id) }, { silent: true });
    await models.Message.create(
      {
        ticketId: t.id,
        authorKind: 'requester',
        authorAgentId: null,
        authorEmail: r.email,
        text: s.text,
        html: null,
        fullText: null,
        emailMessageId: null,
        inReplyTo: null,
        references: null,
        inboundEmailId: null,
        createdAt: created,
        updatedAt: created,
      },
      { silent: true },
    );
    if (done && rnd() < 0.65) {
      const score = route === 'ai' ? pick([3, 4, 4, 5, 5, 5, 2]) : pick([2, 3, 4, 4, 5, 5, 1]);
      await models.Feedback.create(
        { ticketId: t.id, score, comment: null, createdAt: resolvedAt, updatedAt: resolvedAt },
        { silent: true },
      );
    }
    made++;
  }
  for (let i = 0; i < 40; i++) {
    const at = new Date(now - rnd() * 42 * 24 * H);
    await deps.kb.recordDeflection({
      kbEntryId: null,
      query: pick(seeds).text.slice(0, 80),
      devCenter: pick(roster.devCenters),
      email: null,
      at,
    });
  }
  deps.log.info({ tickets: made }, 'demo history loaded');
  return made;
}
