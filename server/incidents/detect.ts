/**
 * Detection, inside the ticket service's triage transaction. It first locks its category's claim row (SELECT … FOR
 * UPDATE on incident_claims), so in one category only one transaction at a time, in any server process, reads the
 * candidates and opens or joins an incident; the others wait for its commit and then see what it did (its reads
 * are locking reads too, which on MySQL see the latest committed rows rather than the transaction's snapshot). On
 * SQLite write transactions are serialised already (BEGIN IMMEDIATE), so the claim row is not read there. An open
 * incident formed by a known issue also carries a unique key, so a second one for the same problem is refused by
 * the database even if the claim were bypassed.
 */
import { Op, type Transaction } from 'sequelize';
import type { Incident, IncidentModels } from './models.js';
import { joinScore, personal, samePair, scopeOf, sureIssue, titleFor, type IssueTraits, type Signal } from './match.js';
import { fold } from './words.js';
import type { Profile } from './models.js';

export interface DetectConfig {
  windowMinutes: number;
  /** Distinct requesters that make a candidate an incident; 0 turns detection off. */
  minTickets: number;
}

/** What an incident about to be opened looks like (the ticket service adds the owner and the children). */
export interface IncidentDraft {
  title: string;
  category: string;
  devCenter: string | null;
  scope: 'centre' | 'global';
  issue: string | null;
  openKey: string | null;
  profile: Profile;
  firstTicketAt: Date;
}

export type Detection =
  | { kind: 'join'; incidentId: number }
  | { kind: 'open'; draft: IncidentDraft; candidates: { ticketId: number; requesterKey: string }[] }
  | { kind: 'none' };

/** How often one process drops a category's signals older than the window (they are never read anyway). */
const PRUNE_EVERY_MS = 60_000;

export function createDetection(d: {
  models: IncidentModels;
  traits: IssueTraits;
  config: DetectConfig;
  clock: () => Date;
}) {
  const { Incident, IncidentSignal, IncidentClaim } = d.models;
  const windowMs = d.config.windowMinutes * 60_000;
  // SQLite runs one write transaction at a time (BEGIN IMMEDIATE, across processes too): the claim is implied.
  const sqlite = Incident.sequelize!.getDialect() === 'sqlite';
  const pruned = new Map<string, number>();
  /** A signal row as read raw (no model instances: a bad day has hundreds in the window). */
  const asSignal = (r: Record<string, unknown>): Signal => ({
    ticketId: Number(r.ticketId),
    requesterKey: String(r.requesterKey),
    category: String(r.category),
    devCenter: (r.devCenter as string | null) ?? null,
    issue: (r.issue as string | null) ?? null,
    issueZ: r.issueZ == null ? null : Number(r.issueZ),
    runner: (r.runner as string | null) ?? null,
    runnerZ: r.runnerZ == null ? null : Number(r.runnerZ),
    terms: typeof r.terms === 'string' ? JSON.parse(r.terms) : {},
    createdAt: r.createdAt instanceof Date ? r.createdAt : new Date(String(r.createdAt)),
  });

  /** The open incident this ticket belongs to, best fit first, among those of its category. */
  async function bestOpen(t: Transaction, s: Signal): Promise<Incident | null> {
    const open = await Incident.findAll({
      where: { status: 'open', category: s.category },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    let best: { i: Incident; score: number } | null = null;
    for (const i of open) {
      const score = joinScore(s, i, d.traits);
      if (score > 0 && (!best || score > best.score)) best = { i, score };
    }
    return best?.i ?? null;
  }

  return {
    enabled: d.config.minTickets > 0,

    /** Decides, holding the category's claim until t ends, whether the ticket joins, opens or does nothing. */
    async detect(t: Transaction, s: Signal): Promise<Detection> {
      if (d.config.minTickets <= 0) return { kind: 'none' };
      if (!sqlite) await IncidentClaim.findByPk(s.category, { transaction: t, lock: t.LOCK.UPDATE });
      const join = await bestOpen(t, s);
      if (join) return { kind: 'join', incidentId: join.id };
      if (personal(s, d.traits)) return { kind: 'none' };
      const since = new Date(d.clock().getTime() - windowMs);
      const recent = await IncidentSignal.findAll({
        where: {
          category: s.category,
          createdAt: { [Op.gte]: since },
          incidentId: null,
          ticketId: { [Op.ne]: s.ticketId },
        },
        transaction: t,
        lock: t.LOCK.UPDATE,
        raw: true,
      });
      const others = (recent as unknown as Record<string, unknown>[]).map(asSignal);
      const alike = others.filter((o) => samePair(s, o, d.traits));
      const people = new Set([s.requesterKey, ...alike.map((o) => o.requesterKey)]);
      if (people.size < d.config.minTickets) return { kind: 'none' };
      // The window's vaguer reports of the same problem come too, by the rule a later report would join by.
      const first = draft(s, alike);
      const more = others.filter((o) => !alike.includes(o) && joinScore(o, first, d.traits) > 0);
      return {
        kind: 'open',
        draft: more.length ? draft(s, [...alike, ...more]) : first,
        candidates: [...alike, ...more],
      };
    },

    /** The smallest number of distinct requesters that make an incident. */
    minTickets: d.config.minTickets,

    /**
     * Keeps the ticket's signal for the next arrivals (with the incident it is now in, if any) and drops signals
     * older than the window in its category (the claim is held, so no one else is reading them).
     */
    async record(t: Transaction, s: Signal, incidentId: number | null) {
      if (d.config.minTickets <= 0) return;
      const now = d.clock().getTime();
      if (now - (pruned.get(s.category) ?? 0) >= PRUNE_EVERY_MS) {
        pruned.set(s.category, now);
        await IncidentSignal.destroy({
          where: { category: s.category, createdAt: { [Op.lt]: new Date(now - windowMs) } },
          transaction: t,
        });
      }
      // A ticket is triaged once; should its signal exist already (a repeated triage), the first one stays.
      await IncidentSignal.bulkCreate(
        [
          {
            ticketId: s.ticketId,
            category: s.category,
            devCenter: s.devCenter,
            requesterKey: s.requesterKey,
            issue: s.issue,
            issueZ: s.issueZ,
            runner: s.runner,
            runnerZ: s.runnerZ,
            terms: s.terms,
            incidentId,
            createdAt: s.createdAt,
          },
        ],
        { transaction: t, ignoreDuplicates: true },
      );
    },

    /** Marks earlier signals as taken by an incident (they no longer count toward another). */
    async absorb(t: Transaction, ticketIds: number[], incidentId: number) {
      if (!ticketIds.length) return;
      await IncidentSignal.update({ incidentId }, { where: { ticketId: { [Op.in]: ticketIds } }, transaction: t });
    },
  };

  function draft(s: Signal, alike: Signal[]): IncidentDraft {
    const all = [...alike, s];
    const issue = sureIssue(s) && alike.some((o) => sureIssue(o) === sureIssue(s)) ? sureIssue(s) : null;
    const scope = issue ? scopeOf(s, d.traits) : 'centre';
    const devCenter = scope === 'global' ? null : s.devCenter;
    const profile = all.reduce<Profile>((p, x) => fold(p, x.terms), { n: 0, terms: {} });
    return {
      title: titleFor({ issue, category: s.category, devCenter, scope }, d.traits),
      category: s.category,
      devCenter,
      scope,
      issue,
      openKey: issue ? `${s.category}|${devCenter ?? '*'}|${issue}` : null,
      profile,
      firstTicketAt: new Date(Math.min(...all.map((x) => x.createdAt.getTime()))),
    };
  }
}

export type Detector = ReturnType<typeof createDetection>;
