/**
 * Creating a ticket at most once per submission (issue 12, item 5). The widget sends an Idempotency-Key with each
 * submission and the same one when it retries it, e.g. after a lost 201 (the ticket committed, the process was
 * killed before it answered). The key is stored on the ticket it created, in the ticket's own INSERT, so a crash
 * leaves both or neither; the unique index on tickets.idempotency_key makes two racing attempts end with one ticket.
 *
 * Keys are scoped to the requester's address: the stored value is sha256(key, NUL, address), so a client that
 * learns or guesses another client's key cannot reach that person's ticket with its own address, and the raw key
 * is never stored.
 */
import { createHash } from 'node:crypto';
import type { Models, Ticket } from '../db/models.js';
import type { createTicketCreation } from './create.js';
import type { CreatedTicket } from './fast-create.js';
import type { NewTicket } from './new-ticket.js';

/** The stored form of a client's key: scoped to the address the submission names. */
export function scopedIdempotencyKey(key: string, email: string): string {
  return createHash('sha256').update(`${key}\0${email.trim().toLowerCase()}`).digest('hex');
}

/**
 * Whether a stored ticket is what this submission would have created: the same text, name, and subject and centre
 * when the submission gives them (the address is part of the key). A key reused for something else is refused.
 */
export function sameSubmission(t: Ticket, input: NewTicket): boolean {
  return (
    t.description === input.issue &&
    (t.requesterName ?? '') === input.name.trim().slice(0, 200) &&
    (!input.subject?.trim() || t.subject === input.subject.trim().slice(0, 300)) &&
    (!input.devCenter || t.devCenter === input.devCenter)
  );
}

export function createIdempotentCreation(d: {
  models: Models;
  creation: ReturnType<typeof createTicketCreation>;
  changed: (t: Ticket, action: string) => void;
}) {
  const { Ticket } = d.models;
  const byKey = (key: string) => Ticket.findOne({ where: { idempotencyKey: key }, attributes: ['id'] });
  /**
   * The ticket an earlier attempt created, triaged: an attempt killed between storing and triage left it 'new',
   * and one still running may not have triaged it yet; triage is a no-op once done, so the retry finishes it and
   * answers with what the first attempt would have.
   */
  const replay = async (id: number) => ({ ticket: await d.creation.triage(id), replayed: true });

  return {
    /** create() for a submission with a (scoped) key: the ticket it created before, or a new one. */
    async createOnce(
      input: NewTicket & { idempotencyKey: string },
    ): Promise<{ ticket: CreatedTicket; replayed: boolean }> {
      const prior = await byKey(input.idempotencyKey);
      if (prior) return replay(prior.id);
      let ticket: CreatedTicket;
      try {
        // The one-transaction path where it applies (fast-create.ts): the key is in the ticket's INSERT either way.
        ticket = await d.creation.create(input);
      } catch (err) {
        // Whatever the driver calls the unique violation: if the key's ticket exists now, a racing attempt made it.
        const raced = await byKey(input.idempotencyKey).catch(() => null);
        if (raced) return replay(raced.id);
        throw err;
      }
      if (ticket.replayed) return replay(ticket.id);
      d.changed(ticket, 'created');
      return { ticket, replayed: false };
    },
  };
}
