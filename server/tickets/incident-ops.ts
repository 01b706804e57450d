/**
 * The ticket service's side of major incidents (server/incidents/ owns the incidents): how a ticket becomes a child
 * and what that does to it. Children move only through the transition table (join_incident, incident_change,
 * resolve), are held by the incident's owner, wait in no queue of their own, get no AI answer, and get one email
 * ("we know, you will hear when it is fixed") instead of an acknowledgment.
 *
 * afterTriage() is the hook of the create path (create.ts): one call inside the triage transaction, with the
 * triage result; it joins the ticket to an open incident, or opens one with the ticket and the earlier tickets it
 * completes, or does nothing, and says which.
 */
import type { Transaction } from 'sequelize';
import type { Requester, Ticket } from '../db/models.js';
import { OPEN_STATUSES } from '../domain/vocabulary.js';
import type { Logger } from '../log.js';
import type { ChildInput, IncidentRow, Incidents } from '../incidents/incidents.js';
import { row } from '../incidents/incidents.js';
import type { Incident } from '../incidents/models.js';
import type { Signal } from '../incidents/match.js';
import type { Notifier } from '../mail/outbound/notify.js';
import type { AnswerPlan } from '../triage/plan.js';
import { leastLoadedHuman } from '../triage/routing.js';
import type { Classification } from '../triage/types.js';
import type { RosterMember } from './roster.js';
import type { Actor, Store } from './store.js';

export interface IncidentOpsDeps {
  store: Store;
  notifier: Notifier;
  incidents: Incidents;
  clock: () => Date;
  log: Logger;
  changed: (ticket: Ticket, action: string) => void;
}

/** What the hook did with the ticket. */
export type IncidentOutcome = { action: 'joined' | 'opened'; incident: IncidentRow } | null;

const working = (t: Ticket) => (OPEN_STATUSES as readonly string[]).includes(t.status);

export function createIncidentOps(deps: IncidentOpsDeps) {
  const { store, incidents } = deps;
  const { Ticket } = store.models;
  const mailOf = (i: Incident) => ({
    ref: i.ref!,
    title: i.title,
    category: i.category,
    severity: i.severity,
    devCenter: i.devCenter,
  });

  const child = (t: Ticket, r: Requester, how: ChildInput['how'], actor: Actor): ChildInput => ({
    ticketId: t.id,
    ticketRef: t.ref!,
    requesterEmail: r.email,
    requesterName: t.requesterName ?? r.name,
    devCenter: t.devCenter,
    channel: t.channel,
    ticketCreatedAt: t.createdAt,
    how,
    linkedBy: actor,
  });

  /** The ticket's side of joining: held by the incident's owner, out of the queues, told once by email. */
  async function enter(
    t: Transaction,
    ticket: Ticket,
    r: Requester,
    i: Incident,
    how: ChildInput['how'],
    actor: Actor,
  ) {
    await store.change(
      t,
      ticket,
      'join_incident',
      actor,
      { incidentId: i.id, route: i.assigneeId ? 'it_team' : 'pool', assigneeId: i.assigneeId },
      { incident: i.ref, how },
    );
    await deps.notifier.incidentKnown(t, await store.mailContext(t, ticket, r), mailOf(i));
  }

  /** Links a ticket to an open incident (detection, "Me too", an agent by hand). */
  async function join(
    t: Transaction,
    ticket: Ticket,
    r: Requester,
    i: Incident,
    how: ChildInput['how'],
    actor: Actor,
    terms?: Signal['terms'],
  ) {
    await incidents.link(t, i, { ...child(ticket, r, how, actor), terms });
    await enter(t, ticket, r, i, how, actor);
  }

  /** The owner, the category's IT team members and the managers hear about a new incident. */
  async function announce(t: Transaction, i: Incident, children: number, roster: RosterMember[]) {
    const owner = roster.find((a) => a.id === i.assigneeId) ?? null;
    const team = roster.filter((a) => a.kind === 'human' && a.skills.includes(i.category));
    const managers = roster.filter((a) => a.kind === 'human' && (a.role === 'manager' || a.role === 'admin'));
    const seen = new Set<string>();
    for (const p of [...(owner ? [owner] : []), ...team, ...managers]) {
      if (seen.has(p.email)) continue;
      seen.add(p.email);
      await deps.notifier.incidentOpened(t, { ...mailOf(i), children, owner: owner?.name ?? null }, p, p === owner);
    }
  }

  /** Opens the incident when the candidates still make one (open, unlinked, enough people); null otherwise. */
  async function open(
    t: Transaction,
    ticket: Ticket,
    r: Requester,
    sig: Signal,
    found: Extract<Awaited<ReturnType<Incidents['detection']['detect']>>, { kind: 'open' }>,
    critical: boolean,
    roster: RosterMember[],
  ): Promise<{ incident: Incident; opened: boolean } | null> {
    const others: { ticket: Ticket; requester: Requester }[] = [];
    for (const { ticketId } of [...found.candidates].sort((a, b) => a.ticketId - b.ticketId)) {
      const k = await Ticket.findByPk(ticketId, { transaction: t, lock: t.LOCK.UPDATE });
      if (!k || !working(k) || k.incidentId) continue;
      others.push({ ticket: k, requester: await store.requesterOf(t, k) });
    }
    const people = new Set([sig.requesterKey, ...others.map((o) => o.requester.email.toLowerCase())]);
    if (people.size < incidents.detection.minTickets) return null;
    const owner = leastLoadedHuman(found.draft.category, roster);
    const severe = critical || others.some((o) => o.ticket.severity === 'critical');
    const all = [...others, { ticket, requester: r }];
    const i = await incidents.open(t, found.draft, {
      assigneeId: owner?.id ?? null,
      severity: severe ? 'critical' : 'high',
      children: all.map((o) => child(o.ticket, o.requester, 'detected', 'system')),
      actor: 'system',
    });
    if (!i) {
      // The unique key found an open incident for this problem: join it instead (never a second one).
      const existing = found.draft.openKey ? await incidents.byOpenKey(t, found.draft.openKey) : null;
      if (!existing) return null;
      await join(t, ticket, r, existing, 'joined', 'system', sig.terms);
      return { incident: existing, opened: false };
    }
    for (const o of all) await enter(t, o.ticket, o.requester, i, 'detected', 'system');
    await announce(t, i, all.length, roster);
    deps.log.warn(
      { incident: i.ref, title: i.title, children: all.length, ticketId: ticket.id },
      'major incident opened',
    );
    for (const o of others) deps.changed(o.ticket, 'joined_incident');
    return { incident: i, opened: true };
  }

  return {
    /**
     * The create path's hook, inside its triage transaction after the ticket is triaged: joins an open incident,
     * opens one, or does nothing (null: the ordinary answer or acknowledgment follows).
     */
    async afterTriage(
      t: Transaction,
      ticket: Ticket,
      r: Requester,
      triage: { classification: Classification; plan?: AnswerPlan; roster: RosterMember[] },
    ): Promise<IncidentOutcome> {
      if (!incidents.detection.enabled) return null;
      const c = triage.classification;
      const e = triage.plan?.evidence;
      const sig = incidents.signal({
        ticketId: ticket.id,
        requesterEmail: r.email,
        category: c.category,
        devCenter: ticket.devCenter,
        text: `${ticket.subject}\n${ticket.description}`,
        issue: e?.issue ? { name: e.issue.name, strength: e.issue.strength } : null,
        runnerUp: e?.runnerUp ? { name: e.runnerUp.name, strength: e.runnerUp.strength } : null,
        createdAt: ticket.createdAt,
      });
      // The roster triage read before this transaction: inside it no query may need a second connection (the
      // transactions queued behind the category's claim may hold every one of the pool's).
      const { roster } = triage;
      const found = await incidents.detection.detect(t, sig);
      let done: { incident: Incident; opened: boolean } | null = null;
      if (found.kind === 'join') {
        const i = await incidents.lock(t, found.incidentId);
        await join(t, ticket, r, i, 'joined', 'system', sig.terms);
        done = { incident: i, opened: false };
      } else if (found.kind === 'open') {
        done = await open(
          t,
          ticket,
          r,
          sig,
          found,
          c.signals.some((s) => s.startsWith('critical:')),
          roster,
        );
      }
      await incidents.detection.record(t, sig, done?.incident.id ?? null);
      return done ? { action: done.opened ? 'opened' : 'joined', incident: row(done.incident) } : null;
    },

    /** A reopened child leaves its incident when that was resolved meanwhile: it is handled on its own again. */
    async afterReopen(t: Transaction, ticket: Ticket) {
      if (!ticket.incidentId || (await incidents.isOpen(t, ticket.incidentId))) return;
      await incidents.leave(t, ticket.id);
      await store.change(t, ticket, 'incident_change', 'system', { incidentId: null }, { left: ticket.incidentId });
    },

    join,
    enter,
    child,
  };
}

export type IncidentOps = ReturnType<typeof createIncidentOps>;
