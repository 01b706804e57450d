/**
 * Which ticket an inbound message belongs to, in order of trust: our own Message-IDs in In-Reply-To/References
 * (HMAC-tagged, unforgeable), Message-IDs already stored on a ticket, the plus-addressed reply token, and only
 * last a subject tag like [IT-1042] — and that only when the sender is already on that ticket.
 */
import { Op } from 'sequelize';
import type { Models, Ticket } from '../../db/models.js';
import type { MailIds } from '../outbound/ids.js';
import type { ParsedEmail } from './types.js';

export interface ThreadMatch {
  ticket: Ticket;
  by: 'message-id' | 'known-message-id' | 'reply-token' | 'subject-tag';
}

const SUBJECT_TAG = /\[(IT-\d+)\]/i;

export function createThreading(deps: { models: Models; ids: MailIds }) {
  const { Ticket, Message, OutboxMail, Requester, Agent } = deps.models;

  async function senderIsOnTicket(ticket: Ticket, sender: string) {
    const requester = await Requester.findByPk(ticket.requesterId);
    if (requester?.email === sender) return true;
    if (ticket.assigneeId) {
      const agent = await Agent.findByPk(ticket.assigneeId);
      if (agent?.email === sender) return true;
    }
    return false;
  }

  return {
    /** The ticket this message continues, or null for a new conversation. */
    async find(mail: ParsedEmail): Promise<ThreadMatch | null> {
      const refs = [
        ...new Set([mail.inReplyTo, ...mail.references.slice().reverse()].filter((x): x is string => !!x)),
      ].slice(0, 50);
      for (const r of refs) {
        const id = deps.ids.ticketFromMessageId(r);
        if (id) {
          const t = await Ticket.findByPk(id);
          if (t) return { ticket: t, by: 'message-id' };
        }
      }
      if (refs.length) {
        // A reply to the requester's own earlier mail, or to one of ours whose id format changed.
        const m =
          (await Message.findOne({ where: { emailMessageId: { [Op.in]: refs } }, order: [['id', 'DESC']] })) ??
          (await OutboxMail.findOne({ where: { emailMessageId: { [Op.in]: refs } }, order: [['id', 'DESC']] }));
        if (m?.ticketId) {
          const t = await Ticket.findByPk(m.ticketId);
          if (t) return { ticket: t, by: 'known-message-id' };
        }
      }
      for (const addr of [...mail.to, ...mail.cc]) {
        const id = deps.ids.ticketFromAddress(addr);
        if (id) {
          const t = await Ticket.findByPk(id);
          if (t) return { ticket: t, by: 'reply-token' };
        }
      }
      const tag = SUBJECT_TAG.exec(mail.subject)?.[1];
      if (tag && mail.from) {
        const t = await Ticket.findOne({ where: { ref: tag.toUpperCase() } });
        if (t && (await senderIsOnTicket(t, mail.from.address))) return { ticket: t, by: 'subject-tag' };
      }
      return null;
    },
  };
}

export type Threading = ReturnType<typeof createThreading>;
