/**
 * The ticket room's storage steps, used by the service's operations and nothing outside the room: transactions,
 * locked loads, requesters, messages, audit events, status changes through the transition table, and the
 * snapshot the notifier gets (it never reads our tables).
 */
import { Op, type Sequelize, type Transaction } from 'sequelize';
import type { Message, Models, Requester, Ticket } from '../db/models.js';
import { transaction } from '../db/tx.js';
import { AppError } from '../errors.js';
import type { MailContext } from '../mail/outbound/notify.js';
import { nextStatus, type LifecycleEvent } from './lifecycle.js';

/** Who did something: 'system', 'ai', 'admin-api', 'requester:<email>', 'agent:<id>'. */
export type Actor = string;

export interface Attachment {
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  content: Buffer | null;
}

/** Email metadata of a message that came by mail. */
export interface EmailMeta {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  html: string | null;
  fullText: string | null;
  inboundEmailId: number | null;
  attachments?: Attachment[];
}

export interface NewMessage {
  ticketId: number;
  authorKind: Message['authorKind'];
  authorAgentId: number | null;
  authorEmail: string | null;
  internal?: boolean;
  text: string;
  emailMessageId?: string | null;
  email?: EmailMeta;
  /** An agent's unproven email reply, kept as an internal note until they confirm it. */
  pendingConfirmation?: boolean;
}

/**
 * The WHERE for a ticket reference: an id (digits) or a ref like IT-1042. Null for an id that is not a safe integer
 * ("1e400", twenty digits): it cannot name a row, and would reach SQL as Infinity or a rounded number.
 */
export function ticketWhere(refOrId: string | number): { id: number } | { ref: string } | null {
  if (typeof refOrId === 'number' || /^\d+$/.test(refOrId)) {
    const id = Number(refOrId);
    return Number.isSafeInteger(id) && id > 0 ? { id } : null;
  }
  return { ref: refOrId.toUpperCase() };
}

/** Audit action names that predate the transition table (the audit API shows them; integrations read them). */
export const AUDIT_NAME: Partial<Record<LifecycleEvent, string>> = {
  triage: 'triaged',
  ai_answer: 'ai_answered',
  handover: 'handed_over',
  correct: 'triage_corrected',
};

export function createStore(deps: { sequelize: Sequelize; models: Models; clock: () => Date }) {
  const { Ticket, Requester, Message, Attachment, AuditEvent } = deps.models;

  const store = {
    models: deps.models,
    /**
     * Runs fn in one transaction (IMMEDIATE on SQLite, so writers queue instead of failing), run again whole after a
     * deadlock or lock timeout (db/tx.ts): fn must be safe to repeat.
     */
    tx: <T>(fn: (t: Transaction) => Promise<T>): Promise<T> => transaction(deps.sequelize, fn),

    /** A ticket by ref (IT-1042) or id, locked for update inside t. */
    async lock(t: Transaction, refOrId: string | number): Promise<Ticket> {
      const where = ticketWhere(refOrId);
      const ticket = where && (await Ticket.findOne({ where, transaction: t, lock: t.LOCK.UPDATE }));
      if (!ticket) throw new AppError('ticket_not_found', `No ticket ${refOrId}.`);
      return ticket;
    },

    requesterOf: async (t: Transaction, ticket: Ticket): Promise<Requester> =>
      (await Requester.findByPk(ticket.requesterId, { transaction: t }))!,

    /** Writes one audit event in t. The actor column holds 120 characters (MySQL refuses longer). */
    audit: (
      t: Transaction,
      ticketId: number | null,
      actor: Actor,
      action: string,
      data: Record<string, unknown> | null = null,
    ) => AuditEvent.create({ ticketId, actor: actor.slice(0, 120), action, data }, { transaction: t }),

    /**
     * Applies `event` through the transition table with `patch`, and audits it (under the event's name, or the
     * audit trail's established name for it, e.g. 'triaged').
     */
    async change(
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
      await store.audit(t, ticket.id, actor, AUDIT_NAME[event] ?? event, { from, to, ...data });
      return ticket;
    },

    /** Stores a message (and its attachments). */
    async addMessage(t: Transaction, m: NewMessage): Promise<Message> {
      const e = m.email;
      const msg = await Message.create(
        {
          ticketId: m.ticketId,
          authorKind: m.authorKind,
          authorAgentId: m.authorAgentId,
          authorEmail: m.authorEmail,
          internal: !!m.internal,
          text: m.text,
          html: e?.html ?? null,
          fullText: e?.fullText ?? null,
          emailMessageId: m.emailMessageId ?? e?.messageId ?? null,
          inReplyTo: e?.inReplyTo ?? null,
          references: e?.references.length ? e.references.join(' ') : null,
          inboundEmailId: e?.inboundEmailId ?? null,
          pendingConfirmation: !!m.pendingConfirmation,
        },
        { transaction: t },
      );
      if (e?.attachments?.length) {
        await Attachment.bulkCreate(
          e.attachments.map((a) => ({ ...a, messageId: msg.id })),
          { transaction: t },
        );
      }
      return msg;
    },

    /**
     * Records a 1–5 score in t (a later choice replaces an earlier one) and audits it; the caller holds the ticket's
     * lock. Shared by the feedback action and the settling of emoji-link scores.
     */
    async recordFeedback(
      t: Transaction,
      ticket: Ticket,
      score: number,
      actor: Actor,
      comment: string | null,
      data: Record<string, unknown> = {},
    ) {
      const { Feedback } = deps.models;
      const existing = await Feedback.findOne({ where: { ticketId: ticket.id }, transaction: t });
      const previous = existing?.score ?? null;
      if (existing) {
        if (existing.score !== score || (comment && comment !== existing.comment)) {
          await existing.update({ score, comment: comment ?? existing.comment }, { transaction: t });
        }
      } else await Feedback.create({ ticketId: ticket.id, score, comment }, { transaction: t });
      await store.change(t, ticket, 'feedback', actor, {}, { score, previous, ...data });
    },

    /** The latest message a person or the AI agent sent the requester (not internal). */
    lastStaffMessage: (t: Transaction | null, ticketId: number) =>
      Message.findOne({
        where: { ticketId, authorKind: { [Op.in]: ['ai', 'agent'] }, internal: false },
        order: [['id', 'DESC']],
        transaction: t ?? undefined,
      }),

    /** The snapshot the notifier needs: the ticket, its requester and the Message-IDs on the thread. */
    async mailContext(t: Transaction, ticket: Ticket, requester?: Requester): Promise<MailContext> {
      const r = requester ?? (await store.requesterOf(t, ticket));
      const msgs = await Message.findAll({
        where: { ticketId: ticket.id },
        attributes: ['emailMessageId', 'authorKind', 'internal'],
        order: [['id', 'ASC']],
        transaction: t,
      });
      const messageIds = msgs.map((m) => m.emailMessageId).filter((x): x is string => !!x);
      // Not an internal note: mail from someone else on the thread is kept as one and is not the requester's.
      const lastRequester = [...msgs]
        .reverse()
        .find((m) => m.authorKind === 'requester' && !m.internal && m.emailMessageId);
      return {
        ticket: {
          id: ticket.id,
          ref: ticket.ref,
          subject: ticket.subject,
          category: ticket.category,
          severity: ticket.severity,
          urgency: ticket.urgency,
          description: ticket.description,
        },
        requester: { name: r.name, email: r.email, devCenter: r.devCenter },
        thread: { messageIds, lastRequesterMessageId: lastRequester?.emailMessageId ?? null },
      };
    },
  };
  return store;
}

export type Store = ReturnType<typeof createStore>;
