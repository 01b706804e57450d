/** Lifecycle actions on an existing ticket; each checks the state machine and audits in the same transaction. */
import { Op, type Transaction } from 'sequelize';
import { AppError } from '../errors.js';
import type { Agent, Ticket } from '../db/models.js';
import { nextStatus, type LifecycleEvent } from './lifecycle.js';
import { inTx, type TicketDeps } from './deps.js';
import type { Actor } from './audit.js';
import { isCategory, isLevel } from '../domain/vocabulary.js';

export interface CommentInput {
  authorKind: 'requester' | 'agent' | 'ai' | 'system';
  agentId?: number | null;
  text: string;
  internal?: boolean;
  email?: {
    messageId: string | null;
    inReplyTo: string | null;
    references: string[];
    html: string | null;
    fullText: string | null;
    inboundEmailId: number | null;
    attachments?: {
      filename: string;
      contentType: string;
      size: number;
      contentId: string | null;
      inline: boolean;
      content: Buffer | null;
    }[];
  };
  /** Email replies from the requester may carry closing intent; the widget/API say so explicitly. */
  readIntent?: boolean;
}

export function createTicketActions(deps: TicketDeps) {
  const { Ticket, Requester, Agent, Message, Attachment, Feedback } = deps.models;

  /** Loads a ticket by ref (IT-1042) or id, locked for update inside t. */
  async function load(t: Transaction, refOrId: string | number): Promise<Ticket> {
    const where =
      typeof refOrId === 'number' || /^\d+$/.test(String(refOrId))
        ? { id: Number(refOrId) }
        : { ref: String(refOrId).toUpperCase() };
    const ticket = await Ticket.findOne({ where, transaction: t, lock: t.LOCK.UPDATE });
    if (!ticket) throw new AppError('ticket_not_found', `No ticket ${refOrId}.`);
    return ticket;
  }
  const requesterOf = async (t: Transaction, ticket: Ticket) =>
    (await Requester.findByPk(ticket.requesterId, { transaction: t }))!;

  async function findAgent(t: Transaction, who: number | string): Promise<Agent> {
    const where =
      typeof who === 'number' || /^\d+$/.test(String(who))
        ? { id: Number(who) }
        : { [Op.or]: [{ email: String(who).toLowerCase() }, { name: String(who) }] };
    const agent = await Agent.findOne({ where: { ...where, active: true }, transaction: t });
    if (!agent) throw new AppError('agent_not_found', `No active agent ${who}.`);
    return agent;
  }

  async function transition(
    t: Transaction,
    ticket: Ticket,
    event: LifecycleEvent,
    actor: Actor,
    patch: Partial<Ticket> = {},
    data: Record<string, unknown> = {},
  ) {
    const from = ticket.status;
    const to = nextStatus(from, event);
    await ticket.update({ ...patch, status: to }, { transaction: t });
    await deps.audit(t, ticket.id, actor, event, { from, to, ...data });
    return ticket;
  }

  const done = (ticket: Ticket, action: string) => {
    deps.log.info({ ticketId: ticket.id, ref: ticket.ref, action, status: ticket.status }, 'ticket changed');
    deps.onChange?.(ticket, action);
    return ticket;
  };

  const actions = {
    load,
    /** Assigns to an IT team member (by id, email or name); they are notified by email. */
    async assign(ref: string | number, who: number | string, actor: Actor) {
      const ticket = await inTx(deps, async (t) => {
        const ticket = await load(t, ref);
        const agent = await findAgent(t, who);
        if (agent.kind !== 'human')
          throw new AppError('validation_failed', 'Tickets are assigned to IT team members.', {
            fields: { agent: 'must be a human agent' },
          });
        await transition(t, ticket, 'assign', actor, { assigneeId: agent.id, route: 'it_team' }, { agent: agent.name });
        if (actor !== `agent:${agent.id}`)
          await deps.notifier.assignment(t, ticket, await requesterOf(t, ticket), agent);
        return ticket;
      });
      return done(ticket, 'assigned');
    },

    /** Adds a message: a requester's reply, an agent's reply (emailed) or internal note, or an AI/system note. */
    async comment(ref: string | number, c: CommentInput, actor: Actor) {
      if (!c.text.trim())
        throw new AppError('validation_failed', 'A comment needs text.', { fields: { text: 'required' } });
      let followUp: 'resolve' | 'handover' | null = null;
      const ticket = await inTx(deps, async (t) => {
        const ticket = await load(t, ref);
        const requester = await requesterOf(t, ticket);
        const agent = c.agentId ? await Agent.findByPk(c.agentId, { transaction: t }) : null;
        let event: LifecycleEvent = c.internal
          ? 'note'
          : c.authorKind === 'requester'
            ? 'requester_reply'
            : c.authorKind === 'agent'
              ? 'agent_reply'
              : 'note';
        // A ticket not yet triaged stays 'new' (the recovery job triages it); the requester's addition is kept.
        if (event === 'requester_reply' && ticket.status === 'new') event = 'note';
        if (event === 'requester_reply' && (ticket.status === 'resolved' || ticket.status === 'closed')) {
          await transition(
            t,
            ticket,
            'reopen',
            actor,
            { resolvedAt: null, closedAt: null },
            { reason: 'requester replied' },
          );
        }
        const messageId = event === 'agent_reply' ? deps.ids.messageId(ticket.id) : (c.email?.messageId ?? null);
        const msg = await Message.create(
          {
            ticketId: ticket.id,
            authorKind: c.authorKind,
            authorAgentId: agent?.id ?? null,
            authorEmail: c.authorKind === 'requester' ? requester.email : (agent?.email ?? null),
            internal: !!c.internal,
            text: c.text,
            html: c.email?.html ?? null,
            fullText: c.email?.fullText ?? null,
            emailMessageId: messageId,
            inReplyTo: c.email?.inReplyTo ?? null,
            references: c.email?.references.length ? c.email.references.join(' ') : null,
            inboundEmailId: c.email?.inboundEmailId ?? null,
          },
          { transaction: t },
        );
        if (c.email?.attachments?.length)
          await Attachment.bulkCreate(
            c.email.attachments.map((a) => ({ ...a, messageId: msg.id })),
            { transaction: t },
          );
        const patch: Partial<Ticket> = {};
        if (event === 'agent_reply' && !ticket.firstResponseAt) patch.firstResponseAt = deps.clock();
        await transition(t, ticket, event, actor, patch, { messageId: msg.id, internal: !!c.internal });
        if (event === 'agent_reply' && agent)
          await deps.notifier.agentReply(t, ticket, requester, agent, c.text, messageId!);
        if (event === 'requester_reply' && c.readIntent) {
          const r = await deps.replyReader.classify({ text: c.text });
          const lastStaff = await Message.findOne({
            where: { ticketId: ticket.id, authorKind: { [Op.in]: ['ai', 'agent'] }, internal: false },
            order: [['id', 'DESC']],
            transaction: t,
          });
          if (r.intent === 'closure' && r.sentiment !== 'negative') followUp = 'resolve';
          else if (
            ticket.route === 'ai' &&
            lastStaff?.authorKind === 'ai' &&
            (r.sentiment === 'negative' ||
              /still|not (working|fixed|solved)|didn.?t (help|work)|doesn.?t work/i.test(c.text))
          )
            followUp = 'handover';
        }
        return ticket;
      });
      done(ticket, 'commented');
      if (followUp === 'resolve') {
        const last = await Message.findOne({
          where: { ticketId: ticket.id, authorKind: { [Op.in]: ['ai', 'agent'] }, internal: false },
          order: [['id', 'DESC']],
        });
        return actions.resolve(ticket.id, last?.text ?? 'Resolved: the requester confirmed it works now.', 'system', {
          note: 'The requester said it is fixed.',
        });
      }
      if (followUp === 'handover')
        return actions.handover(ticket.id, 'the requester says the AI answer did not solve it');
      return ticket;
    },

    /** Hands an AI-answered ticket to the IT team (least-loaded skilled member, else the pool). */
    async handover(ref: string | number, reason: string) {
      const roster = await deps.triage.roster();
      const ticket = await inTx(deps, async (t) => {
        const ticket = await load(t, ref);
        const fit = roster
          .filter((a) => a.kind === 'human' && a.skills.includes(ticket.category))
          .sort((a, b) => a.openTickets - b.openTickets || a.id - b.id)[0];
        const agent = fit ? await Agent.findByPk(fit.id, { transaction: t }) : null;
        await ticket.update(
          {
            route: agent ? 'it_team' : 'pool',
            assigneeId: agent?.id ?? null,
            status: ticket.status === 'new' ? 'new' : 'open',
          },
          { transaction: t },
        );
        await deps.audit(t, ticket.id, 'system', 'handed_over', { reason, agent: agent?.name ?? null });
        if (agent)
          await deps.notifier.assignment(
            t,
            ticket,
            await requesterOf(t, ticket),
            agent,
            'A ticket the AI agent could not solve is yours',
          );
        return ticket;
      });
      return done(ticket, 'handed_over');
    },

    /** Resolves with a resolution text; the requester gets it with feedback buttons. */
    async resolve(ref: string | number, resolution: string, actor: Actor, opts: { note?: string } = {}) {
      if (!resolution.trim())
        throw new AppError('validation_failed', 'A resolution is required.', { fields: { resolution: 'required' } });
      const ticket = await inTx(deps, async (t) => {
        const ticket = await load(t, ref);
        const byAi = ticket.route === 'ai' && !actor.startsWith('agent:') && actor !== 'admin-api';
        await transition(
          t,
          ticket,
          'resolve',
          actor,
          { resolution, resolvedAt: deps.clock(), resolvedBy: byAi ? 'ai' : 'it_team' },
          { note: opts.note ?? null },
        );
        await deps.notifier.resolved(t, ticket, await requesterOf(t, ticket), resolution);
        return ticket;
      });
      return done(ticket, 'resolved');
    },

    /** Closes; the ticket becomes (or strengthens) a knowledge-base entry. */
    async close(ref: string | number, actor: Actor) {
      const ticket = await inTx(deps, async (t) => {
        const ticket = await load(t, ref);
        const now = deps.clock();
        let resolution = ticket.resolution;
        if (!resolution) {
          const last = await Message.findOne({
            where: { ticketId: ticket.id, authorKind: { [Op.in]: ['ai', 'agent'] }, internal: false },
            order: [['id', 'DESC']],
            transaction: t,
          });
          resolution = last?.text ?? null;
        }
        const resolvedBy = ticket.resolvedBy ?? (ticket.route === 'ai' ? 'ai' : 'it_team');
        await transition(t, ticket, 'close', actor, {
          closedAt: now,
          resolvedAt: ticket.resolvedAt ?? now,
          resolution,
          resolvedBy,
        });
        if (resolution) {
          const entry = await deps.kb.fromClosedTicket(t, ticket, resolution);
          if (entry) await deps.audit(t, ticket.id, 'system', 'kb_entry', { kbEntryId: entry.id, hits: entry.hits });
        }
        return ticket;
      });
      return done(ticket, 'closed');
    },

    /** Reopens a resolved or closed ticket. */
    async reopen(ref: string | number, actor: Actor, reason = '') {
      const ticket = await inTx(deps, async (t) =>
        transition(t, await load(t, ref), 'reopen', actor, { resolvedAt: null, closedAt: null }, { reason }),
      );
      return done(ticket, 'reopened');
    },

    /** Records a 1–5 score; a later choice replaces an earlier one. */
    async feedback(ref: string | number, score: number, actor: Actor, comment: string | null = null) {
      if (!Number.isInteger(score) || score < 1 || score > 5)
        throw new AppError('validation_failed', 'Score must be 1 to 5.', { fields: { score: 'must be 1–5' } });
      const ticket = await inTx(deps, async (t) => {
        const ticket = await load(t, ref);
        const existing = await Feedback.findOne({ where: { ticketId: ticket.id }, transaction: t });
        if (existing) {
          if (existing.score !== score || (comment && comment !== existing.comment))
            await existing.update({ score, comment: comment ?? existing.comment }, { transaction: t });
        } else await Feedback.create({ ticketId: ticket.id, score, comment }, { transaction: t });
        await deps.audit(t, ticket.id, actor, 'feedback', { score, previous: existing?.score ?? null });
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
      const ticket = await inTx(deps, async (t) => {
        const ticket = await load(t, ref);
        const before = { category: ticket.category, severity: ticket.severity, urgency: ticket.urgency };
        await ticket.update({ ...(patch as Partial<Ticket>), corrected: true }, { transaction: t });
        await deps.audit(t, ticket.id, actor, 'triage_corrected', { before, after: patch });
        return ticket;
      });
      return done(ticket, 'corrected');
    },
  };
  return actions;
}

export type TicketActions = ReturnType<typeof createTicketActions>;
