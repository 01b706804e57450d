/**
 * What channels do with a major incident (console, admin API, widget): "Me too", link a ticket by hand, unlink a
 * child, post an update to every affected requester once, resolve every child with the incident's resolution,
 * merge two incidents, rename. Each is one transaction: the incident is locked first, then its children in id
 * order, and every ticket changes through the transition table with its audit event and its mail.
 */
import type { Ticket } from '../db/models.js';
import { OPEN_STATUSES } from '../domain/vocabulary.js';
import { AppError } from '../errors.js';
import { incidentId, row, type IncidentRow } from '../incidents/incidents.js';
import type { NewTicket } from './new-ticket.js';
import type { IncidentOps, IncidentOpsDeps } from './incident-ops.js';
import { allowed } from './lifecycle.js';
import type { Actor } from './store.js';

const working = (t: Ticket) => (OPEN_STATUSES as readonly string[]).includes(t.status);
const required = (text: string, field: string) => {
  const clean = text.replace(/\r\n/g, '\n').trim();
  if (!clean) throw new AppError('validation_failed', `The ${field} is required.`, { fields: { [field]: 'required' } });
  if (clean.length > 50_000) throw new AppError('validation_failed', undefined, { fields: { [field]: 'too long' } });
  return clean;
};

export function createIncidentActions(
  deps: IncidentOpsDeps & { ops: IncidentOps; storeNew: (input: NewTicket) => Promise<Ticket> },
) {
  const { store, incidents, ops } = deps;
  const { Ticket } = store.models;
  const live = (i: { status: string; ref: string | null }) => {
    if (i.status !== 'open') throw new AppError('invalid_transition', `${i.ref} is ${i.status}.`);
  };
  const changed = (tickets: Ticket[], action: string) => {
    for (const t of tickets) deps.changed(t, action);
  };

  /** The incident's current children, locked, in id order. */
  async function lockedChildren(t: Parameters<typeof incidents.lock>[0], id: number) {
    const out: Ticket[] = [];
    for (const ticketId of (await incidents.childIds(id, t)).sort((a, b) => a - b)) {
      const k = await Ticket.findByPk(ticketId, { transaction: t, lock: t.LOCK.UPDATE });
      if (k) out.push(k);
    }
    return out;
  }

  return {
    /**
     * Someone in the widget says they have the open incident's problem too: a child ticket without a description
     * of its own, subscribed to the resolution like every child. Asking twice finds the first one.
     */
    async meToo(
      ref: string,
      p: { name: string; email: string; devCenter: string | null },
    ): Promise<{ ticket: Ticket | null; ticketRef: string; incident: IncidentRow; already: boolean }> {
      const found = await incidents.find(ref);
      if (found?.status !== 'open') throw new AppError('not_found', 'This issue is no longer open.');
      if (found.scope === 'centre' && p.devCenter && found.devCenter && p.devCenter !== found.devCenter)
        throw new AppError('validation_failed', `This known issue is about ${found.devCenter}.`, {
          fields: { devCenter: `the issue is in ${found.devCenter}` },
        });
      const email = p.email.trim().toLowerCase();
      const mine = (await incidents.children(found.id)).find((c) => c.requesterEmail === email);
      if (mine) return { ticket: null, ticketRef: mine.ticketRef, incident: found, already: true };
      const stored = await deps.storeNew({
        name: p.name,
        email,
        devCenter: p.devCenter,
        subject: `Me too: ${found.title}`.slice(0, 300),
        issue: `Affected by ${found.ref}: ${found.title} (reported with "Me too" in the support widget).`,
        channel: 'widget',
      });
      const ticket = await store.tx(async (t) => {
        const i = await incidents.lock(t, found.id);
        const k = await store.lock(t, stored.id);
        if (i.status !== 'open' || k.status !== 'new') return null;
        const r = await store.requesterOf(t, k);
        const summary = `Me too: ${i.title}`.slice(0, 500);
        await store.change(t, k, 'triage', `requester:${r.email}`, {
          category: i.category as Ticket['category'],
          severity: i.severity,
          urgency: 'high',
          sentiment: 'neutral',
          intent: 'incident',
          summary,
          classifier: 'incident',
          confidence: 1,
          triage: { source: 'me_too', incident: i.ref, rule: 'me-too→incident' },
        });
        await ops.join(t, k, r, i, 'me_too', `requester:${r.email}`);
        return k;
      });
      // The incident was resolved in between: the ticket stays an ordinary one, triaged by the recovery job.
      if (!ticket) throw new AppError('not_found', 'This issue is no longer open.');
      changed([ticket], 'joined_incident');
      return { ticket, ticketRef: ticket.ref!, incident: found, already: false };
    },

    /** An agent links a ticket the detection missed; its requester gets the incident's email. */
    async link(ref: string, ticketRef: string, actor: Actor) {
      const ticket = await store.tx(async (t) => {
        const i = await incidents.lock(t, ref);
        live(i);
        const k = await store.lock(t, ticketRef);
        if (k.incidentId === i.id) throw new AppError('invalid_transition', `${k.ref} is already in ${i.ref}.`);
        if (k.incidentId) throw new AppError('invalid_transition', `${k.ref} is in another incident: unlink it first.`);
        if (!working(k)) throw new AppError('invalid_transition', `${k.ref} is ${k.status.replace(/_/g, ' ')}.`);
        await ops.join(t, k, await store.requesterOf(t, k), i, 'manual', actor);
        return k;
      });
      changed([ticket], 'joined_incident');
      return ticket;
    },

    /** Takes a child out that is about something else: back to the pool as an ordinary ticket. */
    async unlink(ref: string, ticketRef: string, actor: Actor) {
      const ticket = await store.tx(async (t) => {
        const i = await incidents.lock(t, ref);
        const k = await store.lock(t, ticketRef);
        if (k.incidentId !== i.id) throw new AppError('not_found', `${k.ref} is not a child of ${i.ref}.`);
        await incidents.unlink(t, i, k.id, actor);
        const back = working(k) ? { route: 'pool' as const, assigneeId: null } : {};
        await store.change(t, k, 'incident_change', actor, { incidentId: null, ...back }, { unlinked: i.ref });
        return k;
      });
      changed([ticket], 'left_incident');
      return ticket;
    },

    /** Posts an update on every working child's thread and emails each affected requester once. */
    async update(ref: string, text: string, actor: Actor, author: { agentId: number | null; name: string }) {
      const body = required(text, 'text');
      return store.tx(async (t) => {
        const i = await incidents.lock(t, ref);
        live(i);
        const told = new Set<string>();
        for (const k of await lockedChildren(t, i.id)) {
          if (!allowed(k.status, 'incident_update')) continue;
          const r = await store.requesterOf(t, k);
          const msg = await store.addMessage(t, {
            ticketId: k.id,
            authorKind: author.agentId ? 'agent' : 'system',
            authorAgentId: author.agentId,
            authorEmail: null,
            text: body,
          });
          await store.change(t, k, 'incident_update', actor, {}, { incident: i.ref, messageId: msg.id });
          if (told.has(r.email)) continue;
          told.add(r.email);
          const ctx = await store.mailContext(t, k, r);
          await deps.notifier.incidentUpdate(t, ctx, row(i), body, author.name);
        }
        return incidents.addUpdate(t, i.id, 'update', body, actor, told.size);
      });
    },

    /** Resolves every working child with the incident's resolution (each gets the resolved mail with feedback). */
    async resolve(ref: string, resolution: string, actor: Actor) {
      const text = required(resolution, 'resolution');
      const resolved = await store.tx(async (t) => {
        const i = await incidents.lock(t, ref);
        live(i);
        const out: Ticket[] = [];
        for (const k of await lockedChildren(t, i.id)) {
          if (!allowed(k.status, 'resolve')) continue;
          await store.change(
            t,
            k,
            'resolve',
            actor,
            { resolution: text, resolvedAt: deps.clock(), resolvedBy: 'it_team' },
            { incident: i.ref },
          );
          await deps.notifier.resolved(t, await store.mailContext(t, k), text);
          out.push(k);
        }
        await incidents.resolve(t, i, text, actor, out.length);
        return out;
      });
      changed(resolved, 'resolved');
      return { resolved: resolved.length };
    },

    /** Merges `from` into `into`: its children move (held by into's owner); `from` is closed as merged. */
    async merge(from: string, into: string, actor: Actor) {
      const moved = await store.tx(async (t) => {
        const [ia, ib] = [incidentId(from), incidentId(into)];
        if (!ia || !ib) throw new AppError('not_found', 'No such incident.');
        // Both rows locked in id order, so two merges of the same pair in opposite directions cannot deadlock.
        const low = await incidents.lock(t, Math.min(ia, ib));
        const high = await incidents.lock(t, Math.max(ia, ib));
        const [a, b] = ia <= ib ? [low, high] : [high, low];
        const kids = await lockedChildren(t, a.id);
        await incidents.merge(t, a, b, actor);
        for (const k of kids) {
          const held = working(k)
            ? { route: b.assigneeId ? ('it_team' as const) : ('pool' as const), assigneeId: b.assigneeId }
            : {};
          await store.change(
            t,
            k,
            'incident_change',
            actor,
            { incidentId: b.id, ...held },
            { merged: a.ref, into: b.ref },
          );
        }
        return kids;
      });
      changed(moved, 'merged_incident');
      return { moved: moved.length };
    },

    /** Renames the incident (its title is what the widget and /kb show). */
    rename: (ref: string, title: string, actor: Actor) =>
      store.tx(async (t) => incidents.rename(t, await incidents.lock(t, ref), title, actor)),
  };
}

export type IncidentActions = ReturnType<typeof createIncidentActions>;
