/**
 * Builds each notification (template + signed links + threading headers) and queues it in the outbox, inside the
 * caller's transaction. It knows tickets only through the snapshot the ticket service hands over (MailContext):
 * the outbox sits below the ticket service and never reads its tables.
 */
import type { Transaction } from 'sequelize';
import type { LinkSigner } from '../../http/signed-links.js';
import { LOOP_HEADER, LOOP_HEADER_VALUE } from '../headers.js';
import type { MailIds } from './ids.js';
import { incidentMail } from './incident-mail.js';
import type { Outbox, QueuedMail } from './outbox.js';
import * as emails from './templates/emails.js';

/** The ticket as the mail needs it. */
export interface MailTicket {
  id: number;
  ref: string | null;
  subject: string;
  category: string;
  severity: string;
  urgency: string;
  description: string;
}

export interface MailPerson {
  name: string;
  email: string;
  devCenter?: string | null;
}

/** The ticket, its requester, and the Message-IDs on the ticket so far (oldest first) for threading headers. */
export interface MailContext {
  ticket: MailTicket;
  requester: MailPerson;
  thread: { messageIds: string[]; lastRequesterMessageId: string | null };
}

/**
 * Where a notification goes: the outbox, inside the caller's Sequelize transaction, or a list the caller writes
 * itself in its own transaction (the ticket service's fast create path, tickets/fast-create.ts).
 */
export type MailTx = Transaction | MailSink;
export interface MailSink {
  queued: QueuedMail[];
}

export interface NotifierDeps {
  outbox: Outbox;
  signer: LinkSigner;
  ids: MailIds;
  publicUrl: string;
  escalationHours: number;
}

const firstName = (name: string | null | undefined) => (name ?? '').trim().split(/\s+/)[0] || 'there';

export function createNotifier(deps: NotifierDeps) {
  const { publicUrl, signer, ids } = deps;

  /**
   * The requester's links: one token per mail, carrying the mail's nonce (from its Message-ID), so the ticket
   * service can tell when several links of the same email are fetched at once, as mail scanners do, and when the
   * mail left; the action is in the path.
   */
  function links(ctx: MailContext, messageId: string): emails.RequesterLinks & { token: string } {
    const m = ids.nonceOf(messageId) ?? undefined;
    const token = signer.sign({ t: ctx.ticket.id, a: 'ticket', e: ctx.requester.email, m }, 90);
    const base = `${publicUrl}/t/${token}`;
    return {
      token,
      viewUrl: base,
      closeUrl: `${base}/close`,
      commentUrl: `${base}#comment`,
      reopenUrl: `${base}/reopen`,
      solvedUrl: `${base}/solved`,
      feedbackUrl: (score: number) => `${base}/feedback/${score}`,
    };
  }

  /** In-Reply-To/References so mail clients keep the exchange in one thread; never the mail's own id. */
  function threading(ctx: MailContext, own: string) {
    const thread = ctx.thread.messageIds.filter((id) => id !== own);
    const h: Record<string, string> = {};
    const inReplyTo = ctx.thread.lastRequesterMessageId ?? thread.at(-1);
    if (inReplyTo && inReplyTo !== own) h['In-Reply-To'] = `<${inReplyTo}>`;
    if (thread.length) h.References = [...new Set([thread[0], ...thread.slice(-9)])].map((x) => `<${x}>`).join(' ');
    return h;
  }

  interface Queued {
    ctx: MailContext;
    to: string;
    kind: string;
    subject: string;
    mail: emails.Rendered;
    /** Counts toward the per-address cap on automatic mail (a person's reply does not). */
    automatic: boolean;
    autoSubmitted: 'auto-replied' | 'auto-generated' | null;
    messageId?: string;
  }

  async function queue(tx: MailTx, o: Queued) {
    const messageId = o.messageId ?? ids.messageId(o.ctx.ticket.id);
    const headers: Record<string, string> = {
      ...threading(o.ctx, messageId),
      'Reply-To': ids.replyAddress(o.ctx.ticket.id),
      // RFC 3834: mark automatic mail so other robots don't answer it; Exchange honours X-Auto-Response-Suppress.
      'X-Auto-Response-Suppress': 'All',
      [LOOP_HEADER]: LOOP_HEADER_VALUE,
      'X-Helpdesk-Ticket': o.ctx.ticket.ref ?? String(o.ctx.ticket.id),
    };
    if (o.autoSubmitted) headers['Auto-Submitted'] = o.autoSubmitted;
    const mail: QueuedMail = {
      ticketId: o.ctx.ticket.id,
      kind: o.kind,
      to: o.to,
      subject: o.subject,
      text: o.mail.text,
      html: o.mail.html,
      messageId,
      headers,
      automatic: o.automatic,
    };
    if ('queued' in tx) tx.queued.push(mail);
    else await deps.outbox.enqueue(mail, tx);
    return messageId;
  }

  const tag = (ctx: MailContext, s: string) => `[${ctx.ticket.ref}] ${s}`;
  const refVars = (ctx: MailContext) => ({ ref: ctx.ticket.ref, subject: ctx.ticket.subject });
  const consoleUrl = (ctx: MailContext) => `${publicUrl}/console/tickets/${ctx.ticket.ref}`;

  return {
    links,
    // Major incidents: the affected requesters' mails and the team's notice (incident-mail.ts).
    ...incidentMail({ queue, links, ids, outbox: deps.outbox, publicUrl, firstName }),
    /**
     * Acknowledgement to the requester when a person (pool or IT team) will handle the ticket, with the one article
     * the answer plan suggests when it has a confident match ("While you wait: this usually fixes it").
     */
    ticketReceived(
      tx: MailTx,
      ctx: MailContext,
      assignee: { name: string } | null,
      suggestion: emails.SuggestedArticle | null = null,
    ) {
      const nextStep = assignee
        ? `${assignee.name} from the IT team has it and will get back to you.`
        : 'The IT team will pick it up shortly.';
      const messageId = ids.messageId(ctx.ticket.id);
      const mail = emails.received({
        ...refVars(ctx),
        firstName: firstName(ctx.requester.name),
        nextStep,
        links: links(ctx, messageId),
        suggestion,
      });
      return queue(tx, {
        ctx,
        messageId,
        to: ctx.requester.email,
        kind: 'received',
        subject: tag(ctx, ctx.ticket.subject),
        mail,
        automatic: true,
        autoSubmitted: 'auto-generated',
      });
    },
    /** The AI agent's answer, with close/comment links and feedback faces, under its own Message-ID. */
    aiAnswer(tx: MailTx, ctx: MailContext, agent: { name: string }, answer: string, messageId: string) {
      const mail = emails.aiAnswer({
        ...refVars(ctx),
        firstName: firstName(ctx.requester.name),
        answer,
        agentName: agent.name,
        links: links(ctx, messageId),
      });
      return queue(tx, {
        ctx,
        to: ctx.requester.email,
        kind: 'ai_answer',
        subject: tag(ctx, `Re: ${ctx.ticket.subject}`),
        mail,
        automatic: true,
        autoSubmitted: 'auto-replied',
        messageId,
      });
    },
    /** Tells an IT team member a ticket is theirs; they can answer by replying. */
    assignment(tx: MailTx, ctx: MailContext, agent: MailPerson, heading = 'New ticket assigned to you') {
      const t = ctx.ticket;
      const mail = emails.assignment({
        ...refVars(ctx),
        heading,
        agentFirstName: firstName(agent.name),
        category: t.category,
        severity: t.severity,
        urgency: t.urgency,
        requesterName: ctx.requester.name,
        devCenter: ctx.requester.devCenter ?? '—',
        description: t.description.slice(0, 4000),
        consoleUrl: consoleUrl(ctx),
      });
      return queue(tx, {
        ctx,
        to: agent.email,
        kind: 'assignment',
        subject: tag(ctx, t.subject),
        mail,
        automatic: false,
        autoSubmitted: 'auto-generated',
      });
    },
    /** An IT team member's reply, sent to the requester (a person wrote it: not automatic). */
    agentReply(tx: Transaction, ctx: MailContext, agent: { name: string }, text: string, messageId: string) {
      const mail = emails.agentReply({
        ...refVars(ctx),
        firstName: firstName(ctx.requester.name),
        text,
        agentName: agent.name,
        links: links(ctx, messageId),
      });
      return queue(tx, {
        ctx,
        to: ctx.requester.email,
        kind: 'agent_reply',
        subject: tag(ctx, `Re: ${ctx.ticket.subject}`),
        mail,
        automatic: false,
        autoSubmitted: null,
        messageId,
      });
    },
    /** Resolution notice with feedback faces and a reopen link. */
    resolved(tx: Transaction, ctx: MailContext, resolution: string) {
      const messageId = ids.messageId(ctx.ticket.id);
      const mail = emails.resolved({
        ...refVars(ctx),
        firstName: firstName(ctx.requester.name),
        resolution,
        links: links(ctx, messageId),
      });
      return queue(tx, {
        ctx,
        messageId,
        to: ctx.requester.email,
        kind: 'resolved',
        subject: tag(ctx, `Resolved: ${ctx.ticket.subject}`),
        mail,
        automatic: true,
        autoSubmitted: 'auto-generated',
      });
    },
    /** Escalation notice to an agent (or a manager when the ticket went back to the pool). */
    escalation(tx: Transaction, ctx: MailContext, to: MailPerson, whereNow: string) {
      const t = ctx.ticket;
      const mail = emails.escalation({
        ...refVars(ctx),
        hours: deps.escalationHours,
        category: t.category,
        severity: t.severity,
        requesterName: ctx.requester.name,
        devCenter: ctx.requester.devCenter ?? '—',
        whereNow,
        consoleUrl: consoleUrl(ctx),
      });
      return queue(tx, {
        ctx,
        to: to.email,
        kind: 'escalation',
        subject: tag(ctx, `Escalated: ${t.subject}`),
        mail,
        automatic: false,
        autoSubmitted: 'auto-generated',
      });
    },
    /** A short notice to the requester (e.g. attachments dropped because the email was too large). */
    notice(tx: Transaction, ctx: MailContext, message: string) {
      const messageId = ids.messageId(ctx.ticket.id);
      const mail = emails.notice({
        ...refVars(ctx),
        firstName: firstName(ctx.requester.name),
        message,
        links: links(ctx, messageId),
      });
      return queue(tx, {
        ctx,
        messageId,
        to: ctx.requester.email,
        kind: 'notice',
        subject: tag(ctx, ctx.ticket.subject),
        mail,
        automatic: true,
        autoSubmitted: 'auto-replied',
      });
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
