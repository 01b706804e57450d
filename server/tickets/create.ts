/**
 * Ticket intake, shared by every channel: store first (requester, ticket 'new', first message) in one
 * transaction, then triage outside any transaction (OpenAI may take seconds), then apply the routing decision
 * with its message and mail in a second transaction. A crash between the two leaves a 'new' ticket that the
 * recovery sweep triages again; the second step checks the status, so it never runs twice.
 */
import type { Transaction } from 'sequelize';
import type { Requester, Ticket } from '../db/models.js';
import { refFor } from '../domain/vocabulary.js';
import { inTx, type TicketDeps } from './deps.js';

export interface NewTicketInput {
  name: string;
  email: string;
  devCenter?: string | null;
  subject?: string | null;
  issue: string;
  channel: 'email' | 'widget' | 'api';
  /** Email metadata when the ticket comes from a message. */
  email_?: {
    messageId: string | null;
    inReplyTo: string | null;
    references: string[];
    html: string | null;
    fullText: string | null;
    inboundEmailId: number | null;
    attachments: {
      filename: string;
      contentType: string;
      size: number;
      contentId: string | null;
      inline: boolean;
      content: Buffer | null;
    }[];
    notice?: string;
  };
  parentTicketId?: number | null;
}

const subjectFrom = (issue: string) => {
  const first = issue.trim().split(/\n|(?<=[.!?])\s/)[0] ?? '';
  return (first.length > 80 ? first.slice(0, 77).trimEnd() + '…' : first) || 'IT request';
};

/** Finds or creates the requester by email, updating name and development centre when given. */
export async function upsertRequester(
  deps: TicketDeps,
  t: Transaction,
  name: string,
  email: string,
  devCenter?: string | null,
): Promise<Requester> {
  const { Requester } = deps.models;
  const addr = email.trim().toLowerCase();
  const existing = await Requester.findOne({ where: { email: addr }, transaction: t, lock: t.LOCK.UPDATE });
  if (existing) {
    const patch: Partial<Requester> = {};
    if (name && name !== existing.name) patch.name = name;
    if (devCenter && devCenter !== existing.devCenter) patch.devCenter = devCenter;
    return Object.keys(patch).length ? existing.update(patch, { transaction: t }) : existing;
  }
  return Requester.create(
    { email: addr, name: name || addr.split('@')[0], devCenter: devCenter ?? null },
    { transaction: t },
  );
}

/** Stores a new ticket (status 'new') with its first message; returns it without triage. */
export async function storeTicket(deps: TicketDeps, input: NewTicketInput): Promise<Ticket> {
  const { Ticket, Message, Attachment } = deps.models;
  return inTx(deps, async (t) => {
    const requester = await upsertRequester(deps, t, input.name, input.email, input.devCenter);
    const ticket = await Ticket.create(
      {
        ref: null,
        subject: (input.subject?.trim() || subjectFrom(input.issue)).slice(0, 300),
        description: input.issue,
        channel: input.channel,
        status: 'new',
        severity: 'low',
        urgency: 'low',
        category: 'Software / Applications',
        sentiment: null,
        intent: null,
        summary: null,
        route: 'pool',
        assigneeId: null,
        requesterId: requester.id,
        devCenter: input.devCenter ?? requester.devCenter,
        classifier: null,
        confidence: null,
        parentTicketId: input.parentTicketId ?? null,
        createdAt: deps.clock(),
      },
      { transaction: t },
    );
    await ticket.update({ ref: refFor(ticket.id) }, { transaction: t });
    const e = input.email_;
    const msg = await Message.create(
      {
        ticketId: ticket.id,
        authorKind: 'requester',
        authorAgentId: null,
        authorEmail: requester.email,
        text: input.issue,
        html: e?.html ?? null,
        fullText: e?.fullText ?? null,
        emailMessageId: e?.messageId ?? null,
        inReplyTo: e?.inReplyTo ?? null,
        references: e?.references.length ? e.references.join(' ') : null,
        inboundEmailId: e?.inboundEmailId ?? null,
      },
      { transaction: t },
    );
    if (e?.attachments.length) {
      await Attachment.bulkCreate(
        e.attachments.map((a) => ({ ...a, messageId: msg.id })),
        { transaction: t },
      );
    }
    await deps.audit(t, ticket.id, `requester:${requester.email}`, 'created', {
      channel: input.channel,
      parentTicketId: input.parentTicketId ?? null,
    });
    return ticket;
  });
}

/** Triages a stored 'new' ticket and applies the decision; a no-op when it was already triaged. */
export async function triageTicket(
  deps: TicketDeps,
  ticketId: number,
  opts: { notice?: string } = {},
): Promise<Ticket> {
  const { Ticket, Requester, Agent, Message } = deps.models;
  const pre = await Ticket.findByPk(ticketId, { include: [{ model: Requester, as: 'requester' }] });
  if (!pre) throw new Error(`ticket ${ticketId} vanished`);
  if (pre.status !== 'new') return pre;
  const requester = pre.requester!;
  const { classification: c, decision } = await deps.triage.triage({
    subject: pre.subject,
    text: pre.description,
    requester: { name: requester.name, email: requester.email, devCenter: requester.devCenter },
  });
  let d = decision;
  let answer = null;
  if (d.route === 'ai') {
    answer = await deps.answerer.compose({
      subject: pre.subject,
      text: pre.description,
      category: c.category,
      requesterName: requester.name,
    });
    if (!answer.ok) d = { route: 'pool', agent: null, rule: `${d.rule}; ${answer.reason}→pool` };
  }
  return inTx(deps, async (t) => {
    const ticket = await Ticket.findByPk(ticketId, { transaction: t, lock: t.LOCK.UPDATE });
    if (ticket?.status !== 'new') return ticket ?? pre;
    const now = deps.clock();
    await ticket.update(
      {
        status: 'open',
        category: c.category,
        severity: c.severity,
        urgency: c.urgency,
        sentiment: c.sentiment,
        intent: c.intent,
        complex: c.complex,
        summary: c.summary.slice(0, 500),
        route: d.route,
        assigneeId: d.agent?.id ?? null,
        classifier: c.classifier,
        confidence: c.confidence,
        triage: {
          ...c,
          rule: d.rule,
          suggestedAgent: d.agent?.name ?? c.suggestedAgent,
          answer: answer ? { composer: answer.composer, sources: answer.sources, reason: answer.reason } : null,
        },
      },
      { transaction: t },
    );
    await deps.audit(t, ticket.id, 'system', 'triaged', {
      classifier: c.classifier,
      confidence: c.confidence,
      category: c.category,
      severity: c.severity,
      urgency: c.urgency,
      route: d.route,
      rule: d.rule,
      agent: d.agent?.name ?? null,
    });
    const agent = d.agent ? await Agent.findByPk(d.agent.id, { transaction: t }) : null;
    if (d.route === 'ai' && answer?.ok && agent) {
      const messageId = deps.ids.messageId(ticket.id);
      await Message.create(
        {
          ticketId: ticket.id,
          authorKind: 'ai',
          authorAgentId: agent.id,
          authorEmail: null,
          text: answer.answer,
          html: null,
          fullText: null,
          emailMessageId: messageId,
          inReplyTo: null,
          references: null,
          inboundEmailId: null,
        },
        { transaction: t },
      );
      await ticket.update({ status: 'waiting_on_user', firstResponseAt: now }, { transaction: t });
      await deps.audit(t, ticket.id, 'ai', 'ai_answered', {
        agent: agent.name,
        composer: answer.composer,
        sources: answer.sources,
      });
      await deps.notifier.aiAnswer(t, ticket, requester, agent, answer.answer, messageId);
    } else {
      await deps.notifier.ticketReceived(t, ticket, requester, agent);
      if (agent && agent.kind === 'human') await deps.notifier.assignment(t, ticket, requester, agent);
    }
    if (opts.notice) await deps.notifier.notice(t, ticket, requester, opts.notice);
    return ticket;
  });
}

/** The whole intake: store, then triage and route. */
export async function createTicket(deps: TicketDeps, input: NewTicketInput): Promise<Ticket> {
  const stored = await storeTicket(deps, input);
  deps.log.info(
    { ticketId: stored.id, ref: stored.ref, channel: input.channel, messageId: input.email_?.messageId },
    'ticket stored',
  );
  const ticket = await triageTicket(deps, stored.id, { notice: input.email_?.notice });
  deps.log.info(
    {
      ticketId: ticket.id,
      ref: ticket.ref,
      route: ticket.route,
      category: ticket.category,
      classifier: ticket.classifier,
    },
    'ticket triaged',
  );
  deps.onChange?.(ticket, 'created');
  return ticket;
}
