/**
 * What a GET of an action link from one of our emails may do (issue 11, item 2). Mail scanners (Defender Safe
 * Links, Proofpoint, Mimecast…) fetch every link of a message, some in a real browser that runs script and looks
 * like a person, so a GET never closes or reopens a ticket, and an emoji link's score is only provisional:
 *
 * - it becomes the ticket's feedback FEEDBACK_WINDOW_MS after the fetch, unless another link of the same email
 *   (another emoji, close, reopen, the ticket page) was fetched within that window on either side: a person
 *   clicks one link, a scanner all of them;
 * - it is never recorded when the fetch came within SCANNER_AFTER_SEND_MS of the mail leaving, or from a HEAD
 *   request or a known scanner's user agent.
 *
 * "The same email" is known from the mail nonce signed into each email's links (the random part of its
 * Message-ID), and when it left from the outbox. Provisional scores are rows with a due time in link_fetches;
 * settle() finalises due rows (a job does, and so does the next read of the ticket's page), each under the
 * ticket's lock and only while still pending, so it is idempotent across server processes.
 */
import { Op } from 'sequelize';
import type { Ticket } from '../db/models.js';
import type { Logger } from '../log.js';
import type { MailIds } from '../mail/outbound/ids.js';
import type { Store } from './store.js';

export const FEEDBACK_WINDOW_MS = 60_000;
export const SCANNER_AFTER_SEND_MS = 10_000;

export interface LinkFetchInput {
  ticketId: number;
  /** The email's nonce from the link token; '' for links issued before nonces. */
  nonce: string;
  link: 'view' | 'close' | 'reopen' | 'feedback' | 'solved';
  score?: number;
  /** The address the link was sent to. */
  email: string;
  /** Why this fetch is a scanner's for certain (HEAD, a scanner's user agent), or null. */
  scanner?: string | null;
}

export function createLinkFetches(deps: {
  store: Store;
  ids: MailIds;
  /** When the mail with this Message-ID left (the outbox), or null. */
  mailSent?: (messageId: string) => Promise<Date | null>;
  clock: () => Date;
  log: Logger;
  changed: (ticket: Ticket, action: string) => void;
}) {
  const { store } = deps;
  const { LinkFetch } = store.models;
  const W = FEEDBACK_WINDOW_MS;

  return {
    /**
     * Records a GET of an email link. For an emoji link, returns whether its score is now provisionally
     * recorded (false: treated as a scanner's fetch, with the reason).
     */
    async fetched(i: LinkFetchInput): Promise<{ provisional: boolean; reason: string | null }> {
      const now = deps.clock();
      const key = i.link === 'feedback' ? `feedback:${i.score}` : i.link;
      const recent = await LinkFetch.findAll({
        where: { ticketId: i.ticketId, mailNonce: i.nonce, fetchedAt: { [Op.gte]: new Date(now.getTime() - W) } },
        order: [['id', 'DESC']],
        limit: 50,
      });
      const row = { ticketId: i.ticketId, mailNonce: i.nonce, link: key, actor: `requester:${i.email}`.slice(0, 120) };
      if (i.link !== 'feedback') {
        if (!recent.some((r) => r.link === key)) {
          await LinkFetch.create({
            ...row,
            score: null,
            state: null,
            reason: i.scanner ?? null,
            fetchedAt: now,
            dueAt: null,
          });
        }
        return { provisional: false, reason: null };
      }
      // The person pressed the same face again (or their browser fetched it twice): nothing new.
      if (recent.some((r) => r.link === key && r.state === 'pending')) return { provisional: true, reason: null };
      let reason = i.scanner ?? null;
      if (!reason && recent.some((r) => r.link !== key)) reason = 'another link of the same email was fetched';
      if (!reason && i.nonce && deps.mailSent) {
        const sent = await deps.mailSent(deps.ids.messageIdFor(i.ticketId, i.nonce));
        if (sent && now.getTime() - sent.getTime() < SCANNER_AFTER_SEND_MS) reason = 'fetched seconds after sending';
      }
      await LinkFetch.create({
        ...row,
        score: i.score ?? null,
        state: reason ? 'dropped' : 'pending',
        reason,
        fetchedAt: now,
        dueAt: reason ? null : new Date(now.getTime() + W),
      });
      deps.log.info({ ticketId: i.ticketId, link: key, provisional: !reason, reason }, 'email link fetched');
      return { provisional: !reason, reason };
    },

    /** The score of an emoji link still waiting to be settled, or null. */
    async pendingScore(ticketId: number): Promise<number | null> {
      const r = await LinkFetch.findOne({ where: { ticketId, state: 'pending' }, order: [['id', 'DESC']] });
      return r?.score ?? null;
    },

    /** Settles provisional scores that are due (of one ticket, or all); returns how many became feedback. */
    async settle(o: { ticketId?: number; limit?: number } = {}): Promise<number> {
      const now = deps.clock();
      const due = await LinkFetch.findAll({
        where: { state: 'pending', dueAt: { [Op.lte]: now }, ...(o.ticketId ? { ticketId: o.ticketId } : {}) },
        order: [['dueAt', 'ASC']],
        limit: o.limit ?? 200,
      });
      let recorded = 0;
      for (const candidate of due) {
        const ticket = await store.tx(async (t) => {
          const ticket = await store.lock(t, candidate.ticketId);
          const f = await LinkFetch.findOne({
            where: { id: candidate.id, state: 'pending' },
            transaction: t,
            lock: t.LOCK.UPDATE,
          });
          if (!f) return null; // settled by another process, or superseded by a choice on the page
          const at = f.fetchedAt.getTime();
          const other = await LinkFetch.findOne({
            where: {
              ticketId: f.ticketId,
              mailNonce: f.mailNonce,
              link: { [Op.ne]: f.link },
              fetchedAt: { [Op.between]: [new Date(at - W), new Date(at + W)] },
            },
            transaction: t,
          });
          if (other) {
            const reason = `another link of the same email (${other.link}) was fetched within a minute`;
            await f.update({ state: 'dropped', reason }, { transaction: t });
            return null;
          }
          await store.recordFeedback(t, ticket, f.score!, f.actor ?? 'requester', null, { via: 'email link' });
          await f.update({ state: 'recorded' }, { transaction: t });
          return ticket;
        });
        if (ticket) {
          recorded++;
          deps.changed(ticket, 'feedback');
        }
      }
      return recorded;
    },
  };
}

export type LinkFetches = ReturnType<typeof createLinkFetches>;
