/**
 * Operations on an existing ticket. Each runs in one transaction: it locks the ticket, changes its status only
 * through the transition table, audits, and queues the mail it causes in the same transaction.
 */
import type { Transaction } from 'sequelize';
import type { Agents } from '../agents/agents.js';
import type { Ticket } from '../db/models.js';
import { isCategory, isLevel, type Category, type Level } from '../domain/vocabulary.js';
import { AppError } from '../errors.js';
import type { Kb } from '../kb/entries.js';
import type { Logger } from '../log.js';
import type { MailIds } from '../mail/outbound/ids.js';
import type { Notifier } from '../mail/outbound/notify.js';
import type { Classifier } from '../triage/types.js';
import type { LifecycleEvent } from './lifecycle.js';
import { aiContribution, type OutcomeCredit } from './outcomes.js';
import type { Roster } from './roster.js';
import type { Actor, EmailMeta, Store } from './store.js';

export interface CommentInput {
  authorKind: 'requester' | 'agent' | 'ai' | 'system';
  agentId?: number | null;
  text: string;
  internal?: boolean;
  email?: EmailMeta;
  /** Email replies from the requester may carry closing intent; the widget/API say so explicitly. */
  readIntent?: boolean;
  /** Who wrote it, when that is not the requester or agent on record (an outsider's email, kept as a note). */
  authorEmail?: string;
  /** An agent's email reply not proven to be theirs: stored as an internal note until they confirm it. */
  pendingConfirmation?: boolean;
  /** Extra facts for the audit event (e.g. why an email was not taken as the agent's). */
  audit?: Record<string, unknown>;
}

export interface ActionDeps {
  store: Store;
  agents: Agents;
  roster: Roster;
  /** The local classifier, used to read intent and sentiment in replies. */
  replyReader: Classifier;
  notifier: Notifier;
  ids: MailIds;
  kb: Kb;
  clock: () => Date;
  log: Logger;
  /** Told after every committed change (analytics streams). */
  changed: (ticket: Ticket, action: string) => void;
  /** Credits the ticket's AI answer or suggestion when the requester says how it went (outcomes.ts). */
  credit?: OutcomeCredit;
  /** Resolves a ticket as solved by its suggested article (suggestion.ts): a closing reply before anyone answered. */
  solvedBySuggestion?: (ref: string | number, actor: Actor) => Promise<{ ticket: Ticket }>;
  /** After a reopen, inside its transaction: a child of a resolved incident leaves it (incident-ops.ts). */
  afterReopen: (t: Transaction, ticket: Ticket) => Promise<void>;
}

const STILL_BROKEN = /still|not (working|fixed|solved)|didn.?t (help|work)|doesn.?t work/i;

export function createTicketActions(deps: ActionDeps) {
  const { store } = deps;

  const done = (ticket: Ticket, action: string) => {
    deps.log.info({ ticketId: ticket.id, ref: ticket.ref, action, status: ticket.status }, 'ticket changed');
    deps.changed(ticket, action);
    return ticket;
  };

  /** The least-loaded active IT team member with the ticket's category as a skill, or null. */
  async function skilledPerson(category: string) {
    const fit = (await deps.roster())
      .filter((a) => a.kind === 'human' && a.skills.includes(category))
      .sort((a, b) => a.openTickets - b.openTickets || a.id - b.id);
    return fit[0] ?? null;
  }

  const actions = {
    /** Assigns to an IT team member (by id, email or name); they are notified by email. */
    async assign(ref: string | number, who: number | string, actor: Actor) {
      const agent = await deps.agents.find(who);
      if (!agent) throw new AppError('agent_not_found', `No active agent ${who}.`);
      if (agent.kind !== 'human') {
        throw new AppError('validation_failed', 'Tickets are assigned to IT team members.', {
          fields: { agent: 'must be a human agent' },
        });
      }
      const ticket = await store.tx(async (t) => {
        const ticket = await store.lock(t, ref);
        await store.change(
          t,
          ticket,
          'assign',
          actor,
          { assigneeId: agent.id, route: 'it_team' },
          { agent: agent.name },
        );
        if (actor !== `agent:${agent.id}`) await deps.notifier.assignment(t, await store.mailContext(t, ticket), agent);
        return ticket;
      });
      return done(ticket, 'assigned');
    },

    /** Adds a message: a requester's reply, an agent's reply (emailed) or internal note, or an AI/system note. */
    async comment(ref: string | number, c: CommentInput, actor: Actor) {
      if (!c.text.trim())
        throw new AppError('validation_failed', 'A comment needs text.', { fields: { text: 'required' } });
      const agent = c.agentId ? await deps.agents.byId(c.agentId) : null;
      let followUp: 'resolve' | 'handover' | 'suggestion' | null = null;
      const ticket = await store.tx(async (t) => {
        followUp = null; // an attempt rolled back after a deadlock must not leave its choice behind (store.tx retries)
        const ticket = await store.lock(t, ref);
        const requester = await store.requesterOf(t, ticket);
        let event: LifecycleEvent =
          c.internal || c.pendingConfirmation
            ? 'note'
            : c.authorKind === 'requester'
              ? 'requester_reply'
              : c.authorKind === 'agent'
                ? 'agent_reply'
                : 'note';
        // A ticket not yet triaged stays 'new' (the recovery job triages it); the requester's addition is kept.
        if (event === 'requester_reply' && ticket.status === 'new') event = 'note';
        if (event === 'requester_reply' && (ticket.status === 'resolved' || ticket.status === 'closed')) {
          await store.change(
            t,
            ticket,
            'reopen',
            actor,
            { resolvedAt: null, closedAt: null },
            { reason: 'requester replied' },
          );
          await deps.afterReopen(t, ticket);
        }
        const messageId = event === 'agent_reply' ? deps.ids.messageId(ticket.id) : (c.email?.messageId ?? null);
        const msg = await store.addMessage(t, {
          ticketId: ticket.id,
          authorKind: c.authorKind,
          authorAgentId: agent?.id ?? null,
          authorEmail: c.authorEmail ?? (c.authorKind === 'requester' ? requester.email : (agent?.email ?? null)),
          internal: c.internal || c.pendingConfirmation,
          pendingConfirmation: c.pendingConfirmation,
          text: c.text,
          emailMessageId: messageId,
          email: c.email,
        });
        const patch: Partial<Ticket> = {};
        if (event === 'agent_reply' && !ticket.firstResponseAt) patch.firstResponseAt = deps.clock();
        await store.change(t, ticket, event, actor, patch, {
          messageId: msg.id,
          internal: !!(c.internal || c.pendingConfirmation),
          ...c.audit,
        });
        if (event === 'agent_reply' && agent) {
          await deps.notifier.agentReply(t, await store.mailContext(t, ticket, requester), agent, c.text, messageId!);
        }
        if (event === 'requester_reply' && c.readIntent) {
          const r = await deps.replyReader.classify({ text: c.text });
          const lastStaff = await store.lastStaffMessage(t, ticket.id);
          const given = aiContribution(ticket.triage);
          if (r.intent === 'closure' && r.sentiment !== 'negative') {
            // "Thanks, that fixed it" before anyone replied to an acknowledged ticket: the suggested article did.
            followUp = given?.kind === 'suggest' && !lastStaff && deps.solvedBySuggestion ? 'suggestion' : 'resolve';
            if (followUp === 'resolve' && ticket.route === 'ai' && lastStaff?.authorKind === 'ai')
              await deps.credit?.(t, ticket, 'solved', 'closing reply to the AI answer');
          } else if (
            ticket.route === 'ai' &&
            lastStaff?.authorKind === 'ai' &&
            (r.sentiment === 'negative' || STILL_BROKEN.test(c.text))
          ) {
            followUp = 'handover';
          }
        }
        return ticket;
      });
      done(ticket, 'commented');
      if (followUp === 'suggestion') return (await deps.solvedBySuggestion!(ticket.id, actor)).ticket;
      if (followUp === 'resolve') {
        const last = await store.lastStaffMessage(null, ticket.id);
        return actions.resolve(ticket.id, last?.text ?? 'Resolved: the requester confirmed it works now.', 'system', {
          note: 'The requester said it is fixed.',
        });
      }
      if (followUp === 'handover')
        return actions.handover(ticket.id, 'the requester says the AI answer did not solve it');
      return ticket;
    },

    /**
     * An agent confirms that an email reply kept as a note (not proven to be theirs) is theirs: it is sent to the
     * requester as their reply. The note is claimed first, so a double click sends it once.
     */
    async confirmEmailReply(ref: string | number, messageId: number, agentId: number, actor: Actor) {
      const { Message } = store.models;
      const ticket = await store.tx((t) => store.lock(t, ref));
      const note = Number.isSafeInteger(messageId)
        ? await Message.findOne({ where: { id: messageId, ticketId: ticket.id, pendingConfirmation: true } })
        : null;
      if (!note) throw new AppError('not_found', 'There is no email reply waiting for confirmation.');
      if (note.authorAgentId !== agentId) {
        throw new AppError('forbidden', 'Only the agent the email came from can confirm it.');
      }
      const [claimed] = await Message.update(
        { pendingConfirmation: false },
        { where: { id: note.id, pendingConfirmation: true } },
      );
      if (!claimed) throw new AppError('not_found', 'This email reply was already confirmed.');
      try {
        return await actions.comment(
          ticket.id,
          { authorKind: 'agent', agentId, text: note.text, audit: { confirmedNote: note.id } },
          actor,
        );
      } catch (err) {
        await Message.update({ pendingConfirmation: true }, { where: { id: note.id } });
        throw err;
      }
    },

    /** Hands an AI-answered ticket to the IT team (least-loaded skilled member, else the pool). */
    async handover(ref: string | number, reason: string) {
      const ticket = await store.tx(async (t) => {
        const ticket = await store.lock(t, ref);
        const agent = await skilledPerson(ticket.category);
        await store.change(
          t,
          ticket,
          'handover',
          'system',
          { route: agent ? 'it_team' : 'pool', assigneeId: agent?.id ?? null },
          {
            reason,
            agent: agent?.name ?? null,
          },
        );
        // The requester says the AI answer did not help: it counts against that entry for this kind of request.
        await deps.credit?.(t, ticket, 'failed', reason);
        if (agent) {
          const ctx = await store.mailContext(t, ticket);
          await deps.notifier.assignment(t, ctx, agent, 'A ticket the AI agent could not solve is yours');
        }
        return ticket;
      });
      return done(ticket, 'handed_over');
    },

    /** Resolves with a resolution text; the requester gets it with feedback buttons. */
    async resolve(ref: string | number, resolution: string, actor: Actor, opts: { note?: string } = {}) {
      if (!resolution.trim()) {
        throw new AppError('validation_failed', 'A resolution is required.', { fields: { resolution: 'required' } });
      }
      const ticket = await store.tx(async (t) => {
        const ticket = await store.lock(t, ref);
        const byAi = ticket.route === 'ai' && !actor.startsWith('agent:') && actor !== 'admin-api';
        await store.change(
          t,
          ticket,
          'resolve',
          actor,
          { resolution, resolvedAt: deps.clock(), resolvedBy: byAi ? 'ai' : 'it_team' },
          {
            note: opts.note ?? null,
          },
        );
        await deps.notifier.resolved(t, await store.mailContext(t, ticket), resolution);
        return ticket;
      });
      return done(ticket, 'resolved');
    },

    /** Closes; the ticket becomes a knowledge-base draft that an agent reviews before anyone can find it. */
    async close(ref: string | number, actor: Actor) {
      const ticket = await store.tx(async (t) => {
        const ticket = await store.lock(t, ref);
        const now = deps.clock();
        const resolution = ticket.resolution ?? (await store.lastStaffMessage(t, ticket.id))?.text ?? null;
        const resolvedBy = ticket.resolvedBy ?? (ticket.route === 'ai' ? 'ai' : 'it_team');
        await store.change(t, ticket, 'close', actor, {
          closedAt: now,
          resolvedAt: ticket.resolvedAt ?? now,
          resolution,
          resolvedBy,
        });
        // The requester closing an AI-answered ticket themselves ("This solved it — close the ticket") confirms it.
        if (actor.startsWith('requester:') && ticket.route === 'ai' && resolvedBy === 'ai')
          await deps.credit?.(t, ticket, 'solved', 'closed by the requester');
        if (resolution) {
          // A draft for an agent to review, whoever closed it; the requester's names and address are taken out.
          const r = await store.requesterOf(t, ticket);
          const personal = { names: [r.name, ticket.requesterName], emails: [r.email] };
          const entry = await deps.kb.fromClosedTicket(t, ticket, resolution, personal);
          if (entry) await store.audit(t, ticket.id, 'system', 'kb_draft', { kbEntryId: entry.id });
        }
        return ticket;
      });
      return done(ticket, 'closed');
    },

    /** Reopens a resolved or closed ticket. */
    async reopen(ref: string | number, actor: Actor, reason = '') {
      const ticket = await store.tx(async (t) => {
        const ticket = await store.lock(t, ref);
        await store.change(t, ticket, 'reopen', actor, { resolvedAt: null, closedAt: null }, { reason });
        await deps.afterReopen(t, ticket);
        return ticket;
      });
      return done(ticket, 'reopened');
    },

    /** Records a 1–5 score; a later choice replaces an earlier one. */
    async feedback(ref: string | number, score: number, actor: Actor, comment: string | null = null) {
      if (!Number.isInteger(score) || score < 1 || score > 5) {
        throw new AppError('validation_failed', 'Score must be 1 to 5.', { fields: { score: 'must be 1–5' } });
      }
      const ticket = await store.tx(async (t) => {
        const ticket = await store.lock(t, ref);
        await store.recordFeedback(t, ticket, score, actor, comment);
        // A deliberate choice (a form or the widget) replaces any emoji-link score still waiting to be settled.
        await store.models.LinkFetch.update(
          { state: 'superseded', reason: 'a later choice was made on the page' },
          { where: { ticketId: ticket.id, state: 'pending' }, transaction: t },
        );
        return ticket;
      });
      return done(ticket, 'feedback');
    },

    /** An agent corrects the triage; recorded as a correction the local classifier learns from. */
    async correct(
      ref: string | number,
      patch: { category?: string; severity?: string; urgency?: string },
      actor: Actor,
    ) {
      const fields: Record<string, string> = {};
      if (patch.category !== undefined && !isCategory(patch.category)) fields.category = 'unknown category';
      if (patch.severity !== undefined && !isLevel(patch.severity))
        fields.severity = 'must be low, medium, high or critical';
      if (patch.urgency !== undefined && !isLevel(patch.urgency))
        fields.urgency = 'must be low, medium, high or critical';
      if (Object.keys(fields).length) throw new AppError('validation_failed', undefined, { fields });
      const valid = patch as { category?: Category; severity?: Level; urgency?: Level };
      const ticket = await store.tx(async (t) => {
        const ticket = await store.lock(t, ref);
        const before = { category: ticket.category, severity: ticket.severity, urgency: ticket.urgency };
        await store.change(t, ticket, 'correct', actor, { ...valid, corrected: true }, { before, after: valid });
        return ticket;
      });
      return done(ticket, 'corrected');
    },

    /** A bounce of our mail about a ticket: recorded on its audit trail (nothing else changes). */
    async recordBounce(ticketId: number, data: Record<string, unknown>) {
      await store.tx((t) => store.audit(t, ticketId, 'system', 'bounce', data).then(() => undefined));
    },
  };
  return actions;
}

export type TicketActions = ReturnType<typeof createTicketActions>;
