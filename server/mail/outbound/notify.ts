/** Builds each notification (templates + signed links + threading headers) and queues it in the outbox. */
import type { Transaction } from 'sequelize';
import type { Agent, Models, Requester, Ticket } from '../../db/models.js';
import type { LinkSigner } from '../../http/signed-links.js';
import { LOOP_HEADER, LOOP_HEADER_VALUE } from '../headers.js';
import type { MailIds } from './ids.js';
import type { Outbox } from './outbox.js';
import { FEEDBACK_FACES } from '../../domain/vocabulary.js';
import { escapeHtml, renderEmail } from './render.js';

export interface NotifierDeps {
  models: Models;
  outbox: Outbox;
  signer: LinkSigner;
  ids: MailIds;
  publicUrl: string;
  escalationHours: number;
}

const firstName = (name: string | null | undefined) => (name ?? '').trim().split(/\s+/)[0] || 'there';

export function createNotifier(deps: NotifierDeps) {
  const { publicUrl, signer, ids } = deps;

  /** The requester's links: one token per ticket and address, the action is in the path. */
  function links(ticket: Ticket, requester: Requester) {
    const token = signer.sign({ t: ticket.id, a: 'ticket', e: requester.email }, 90);
    const base = `${publicUrl}/t/${token}`;
    return {
      token,
      viewUrl: base,
      closeUrl: `${base}/close`,
      commentUrl: `${base}#comment`,
      reopenUrl: `${base}/reopen`,
      feedbackUrl: (score: number) => `${base}/feedback/${score}`,
    };
  }

  function feedbackBlocks(l: ReturnType<typeof links>) {
    const html = FEEDBACK_FACES.map(
      (e, i) =>
        `<a class="emoji" style="display:inline-block;font-size:28px;text-decoration:none;padding:4px 8px" href="${escapeHtml(l.feedbackUrl(i + 1))}" title="${i + 1} of 5" aria-label="Rate ${i + 1} of 5">${e}</a>`,
    ).join(' ');
    const text = FEEDBACK_FACES.map((e, i) => `${e} ${l.feedbackUrl(i + 1)}`).join('\n');
    return { feedbackButtons: html, feedbackText: text };
  }

  /** In-Reply-To/References so mail clients keep the whole exchange in one thread. */
  async function threading(ticket: Ticket, transaction: Transaction) {
    const msgs = await deps.models.Message.findAll({
      where: { ticketId: ticket.id },
      attributes: ['emailMessageId', 'authorKind'],
      order: [['id', 'ASC']],
      transaction,
    });
    const idsInThread = msgs.map((m) => m.emailMessageId).filter((x): x is string => !!x);
    const lastRequester = [...msgs]
      .reverse()
      .find((m) => m.authorKind === 'requester' && m.emailMessageId)?.emailMessageId;
    const h: Record<string, string> = {};
    const inReplyTo = lastRequester ?? idsInThread.at(-1);
    if (inReplyTo) h['In-Reply-To'] = `<${inReplyTo}>`;
    if (idsInThread.length)
      h.References = [...new Set([idsInThread[0], ...idsInThread.slice(-9)])].map((x) => `<${x}>`).join(' ');
    return h;
  }

  async function queue(
    transaction: Transaction,
    o: {
      ticket: Ticket;
      to: string;
      kind: string;
      subject: string;
      vars: Record<string, unknown>;
      automatic: boolean;
      autoSubmitted: 'auto-replied' | 'auto-generated' | null;
      messageId?: string;
    },
  ) {
    const messageId = o.messageId ?? ids.messageId(o.ticket.id);
    const { html, text } = renderEmail(o.kind === 'agent_reply_notice' ? 'agent_reply' : o.kind, {
      ref: o.ticket.ref,
      subject: o.ticket.subject,
      ...o.vars,
    });
    const headers: Record<string, string> = {
      ...(await threading(o.ticket, transaction)),
      'Reply-To': ids.replyAddress(o.ticket.id),
      // RFC 3834: mark automatic mail so other robots don't answer it; Exchange honours X-Auto-Response-Suppress.
      'X-Auto-Response-Suppress': 'All',
      [LOOP_HEADER]: LOOP_HEADER_VALUE,
      'X-Helpdesk-Ticket': o.ticket.ref ?? String(o.ticket.id),
    };
    if (o.autoSubmitted) headers['Auto-Submitted'] = o.autoSubmitted;
    await deps.outbox.enqueue(
      {
        ticketId: o.ticket.id,
        kind: o.kind,
        to: o.to,
        subject: o.subject,
        text,
        html,
        messageId,
        headers,
        automatic: o.automatic,
      },
      transaction,
    );
    return messageId;
  }

  const subj = (t: Ticket, s: string) => `[${t.ref}] ${s}`;

  return {
    links,
    /** Acknowledgement to the requester when a person (pool or IT team) will handle the ticket. */
    ticketReceived(tx: Transaction, ticket: Ticket, requester: Requester, assignee: Agent | null) {
      const nextStep = assignee
        ? `${assignee.name} from the IT team has it and will get back to you.`
        : 'The IT team will pick it up shortly.';
      return queue(tx, {
        ticket,
        to: requester.email,
        kind: 'received',
        subject: subj(ticket, ticket.subject),
        automatic: true,
        autoSubmitted: 'auto-generated',
        vars: { firstName: firstName(requester.name), nextStep, ...links(ticket, requester) },
      });
    },
    /** The AI agent's answer, with close/comment links and feedback buttons; returns its Message-ID. */
    aiAnswer(tx: Transaction, ticket: Ticket, requester: Requester, agent: Agent, answer: string, messageId: string) {
      const l = links(ticket, requester);
      return queue(tx, {
        ticket,
        to: requester.email,
        kind: 'ai_answer',
        subject: subj(ticket, `Re: ${ticket.subject}`),
        automatic: true,
        autoSubmitted: 'auto-replied',
        messageId,
        vars: { firstName: firstName(requester.name), answer, agentName: agent.name, ...l, ...feedbackBlocks(l) },
      });
    },
    /** Tells an IT team member a ticket is theirs; they can answer by replying. */
    assignment(
      tx: Transaction,
      ticket: Ticket,
      requester: Requester,
      agent: Agent,
      heading = 'New ticket assigned to you',
    ) {
      return queue(tx, {
        ticket,
        to: agent.email,
        kind: 'assignment',
        subject: subj(ticket, ticket.subject),
        automatic: false,
        autoSubmitted: 'auto-generated',
        vars: {
          heading,
          agentFirstName: firstName(agent.name),
          category: ticket.category,
          severity: ticket.severity,
          urgency: ticket.urgency,
          requesterName: requester.name,
          devCenter: requester.devCenter ?? '—',
          description: ticket.description.slice(0, 4000),
          consoleUrl: `${publicUrl}/console/tickets/${ticket.ref}`,
        },
      });
    },
    /** An IT team member's reply, sent to the requester (a person wrote it: not automatic). */
    agentReply(tx: Transaction, ticket: Ticket, requester: Requester, agent: Agent, text: string, messageId: string) {
      return queue(tx, {
        ticket,
        to: requester.email,
        kind: 'agent_reply',
        subject: subj(ticket, `Re: ${ticket.subject}`),
        automatic: false,
        autoSubmitted: null,
        messageId,
        vars: { firstName: firstName(requester.name), text, agentName: agent.name, ...links(ticket, requester) },
      });
    },
    /** Resolution notice with feedback buttons and a reopen link. */
    resolved(tx: Transaction, ticket: Ticket, requester: Requester, resolution: string) {
      const l = links(ticket, requester);
      return queue(tx, {
        ticket,
        to: requester.email,
        kind: 'resolved',
        subject: subj(ticket, `Resolved: ${ticket.subject}`),
        automatic: true,
        autoSubmitted: 'auto-generated',
        vars: { firstName: firstName(requester.name), resolution, ...l, ...feedbackBlocks(l) },
      });
    },
    /** Escalation notice to an agent (or the manager when the ticket went back to the pool). */
    escalation(tx: Transaction, ticket: Ticket, requester: Requester, to: Agent, whereNow: string) {
      return queue(tx, {
        ticket,
        to: to.email,
        kind: 'escalation',
        subject: subj(ticket, `Escalated: ${ticket.subject}`),
        automatic: false,
        autoSubmitted: 'auto-generated',
        vars: {
          hours: deps.escalationHours,
          category: ticket.category,
          severity: ticket.severity,
          requesterName: requester.name,
          devCenter: requester.devCenter ?? '—',
          whereNow,
          consoleUrl: `${publicUrl}/console/tickets/${ticket.ref}`,
        },
      });
    },
    /** A short notice to the requester (e.g. attachments dropped because the email was too large). */
    notice(tx: Transaction, ticket: Ticket, requester: Requester, message: string) {
      return queue(tx, {
        ticket,
        to: requester.email,
        kind: 'notice',
        subject: subj(ticket, ticket.subject),
        automatic: true,
        autoSubmitted: 'auto-replied',
        vars: { firstName: firstName(requester.name), message, ...links(ticket, requester) },
      });
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
