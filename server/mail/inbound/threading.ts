/**
 * Which ticket an inbound message belongs to, in order of trust: our own Message-IDs in In-Reply-To/References
 * (HMAC-tagged, unforgeable), Message-IDs already stored on a ticket, the plus-addressed reply token, and only
 * last a subject tag like [IT-1042] — and that only when the sender is already on that ticket.
 */
import type { TicketReads, TicketRow } from '../../tickets/reads.js';
import type { MailIds } from '../outbound/ids.js';
import type { Outbox } from '../outbound/outbox.js';
import type { ParsedEmail } from './types.js';

export interface ThreadMatch {
  ticket: TicketRow;
  by: 'message-id' | 'known-message-id' | 'reply-token' | 'subject-tag';
}

const SUBJECT_TAG = /\[(IT-\d+)\]/i;

export function createThreading(deps: {
  reads: TicketReads;
  outbox: Pick<Outbox, 'ticketIdByMessageIds'>;
  ids: MailIds;
}) {
  const { reads } = deps;
  return {
    /** The ticket this message continues, or null for a new conversation. */
    async find(mail: ParsedEmail): Promise<ThreadMatch | null> {
      const refs = [
        ...new Set([mail.inReplyTo, ...mail.references.slice().reverse()].filter((x): x is string => !!x)),
      ].slice(0, 50);
      for (const r of refs) {
        const id = deps.ids.ticketFromMessageId(r);
        const t = id ? await reads.find(id) : null;
        if (t) return { ticket: t, by: 'message-id' };
      }
      // A reply to the requester's own earlier mail, or to one of ours whose id format changed.
      const known = (await reads.ticketIdByMessageIds(refs)) ?? (await deps.outbox.ticketIdByMessageIds(refs));
      const byKnown = known ? await reads.find(known) : null;
      if (byKnown) return { ticket: byKnown, by: 'known-message-id' };
      for (const addr of [...mail.to, ...mail.cc]) {
        const id = deps.ids.ticketFromAddress(addr);
        const t = id ? await reads.find(id) : null;
        if (t) return { ticket: t, by: 'reply-token' };
      }
      const tag = SUBJECT_TAG.exec(mail.subject)?.[1];
      if (tag && mail.from) {
        const t = await reads.find(tag);
        if (t && (await reads.isParticipant(t, mail.from.address))) return { ticket: t, by: 'subject-tag' };
      }
      return null;
    },
  };
}

export type Threading = ReturnType<typeof createThreading>;
