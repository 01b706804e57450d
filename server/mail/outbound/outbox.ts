/**
 * The outbox: an email is queued in the same transaction as the ticket change that causes it, and a sender job
 * (sender.ts) delivers it with retry and backoff, so an SMTP outage delays mail and loses none.
 */
import { Op, type Transaction } from 'sequelize';
import type { Models, OutboxMail } from '../../db/models.js';
import { addressKey } from '../../domain/address.js';
import type { Logger } from '../../log.js';
import { AUTO_LIMIT, autoWindowStart, overAutoLimit } from './outbox-rules.js';

export { AUTO_LIMIT } from './outbox-rules.js';

export interface QueuedMail {
  ticketId: number | null;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  headers: Record<string, string>;
  /** Automatic mail (answers, notices) counts toward the per-sender limit; a person's reply does not. */
  automatic: boolean;
}

export interface OutboxDeps {
  models: Models;
  from: string;
  clock: () => Date;
  log: Logger;
  /** Whether automatic mail may go to an address (ALLOWED_REQUESTER_DOMAINS); others are kept as suppressed. */
  automaticAllowed?: (address: string) => boolean;
}

export function createOutbox(deps: OutboxDeps) {
  const { OutboxMail } = deps.models;

  return {
    /** Queues a mail inside the caller's transaction; returns the row (status suppressed when over the limit). */
    async enqueue(mail: QueuedMail, transaction: Transaction): Promise<OutboxMail> {
      const now = deps.clock();
      let status: OutboxMail['status'] = 'queued';
      let lastError: string | null = null;
      const limitKey = addressKey(mail.to);
      if (mail.automatic && deps.automaticAllowed && !deps.automaticAllowed(mail.to)) {
        // Automatic answers to outside addresses would make the IT sender a relay for whoever names them.
        status = 'suppressed';
        lastError = 'automatic mail goes only to ALLOWED_REQUESTER_DOMAINS';
        deps.log.warn({ ticketId: mail.ticketId, kind: mail.kind }, 'automatic mail to an outside domain suppressed');
      } else if (mail.automatic) {
        // Counted by the address without case and +tag: victim+1@, victim+2@… are one mailbox.
        const recent = await OutboxMail.count({
          where: {
            limitKey,
            automatic: true,
            status: { [Op.in]: ['queued', 'sent'] },
            createdAt: { [Op.gt]: autoWindowStart(now) },
          },
          transaction,
        });
        if (overAutoLimit(recent)) {
          status = 'suppressed';
          lastError = `more than ${AUTO_LIMIT.count} automatic mails to this address in 3 hours`;
          deps.log.warn(
            { to: mail.to, ticketId: mail.ticketId, kind: mail.kind },
            'automatic mail suppressed by the per-sender limit',
          );
        }
      }
      return OutboxMail.create(
        {
          ticketId: mail.ticketId,
          kind: mail.kind,
          toAddr: mail.to,
          limitKey,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: mail.headers,
          emailMessageId: mail.messageId,
          automatic: mail.automatic,
          status,
          nextAttemptAt: now,
          lastError,
        },
        { transaction },
      );
    },

    /** Puts a failed or dead mail back in the queue now (admin retry). */
    async retry(id: number) {
      const [n] = await OutboxMail.update(
        { status: 'queued', nextAttemptAt: deps.clock(), attempts: 0, claimedBy: null, claimedUntil: null },
        { where: { id, status: { [Op.in]: ['failed', 'dead', 'suppressed'] } } },
      );
      return n > 0;
    },

    /** Discards a mail that has not gone out (kept as 'suppressed': Retry can still bring it back). */
    async discard(id: number, by: string) {
      const [n] = await OutboxMail.update(
        { status: 'suppressed', lastError: `discarded by ${by}`.slice(0, 250) },
        { where: { id, status: { [Op.in]: ['queued', 'failed', 'dead'] } } },
      );
      return n > 0;
    },

    /** Counts queued mail (for /metrics and /healthz). */
    depth: () => OutboxMail.count({ where: { status: 'queued' } }),

    /** The newest mails (dev outbox); console sign-in mails only when `withSignIn`. */
    recent(o: { to?: string; withSignIn: boolean; limit: number }) {
      const where = { ...(o.to ? { toAddr: o.to } : {}), ...(o.withSignIn ? {} : { kind: { [Op.ne]: 'magic_link' } }) };
      return OutboxMail.findAll({ where, order: [['id', 'DESC']], limit: o.limit });
    },

    /** One mail by id (dev outbox); a sign-in mail only when `withSignIn`. */
    one(id: number, o: { withSignIn: boolean }) {
      if (!Number.isSafeInteger(id)) return Promise.resolve(null);
      return OutboxMail.findOne({ where: { id, ...(o.withSignIn ? {} : { kind: { [Op.ne]: 'magic_link' } }) } });
    },

    /** Mail by status for the admin page: 'problems' are failed, dead, suppressed or retrying ones. */
    byStatus(status: 'problems' | 'all' | OutboxMail['status'], limit = 200) {
      const where =
        status === 'all'
          ? {}
          : status === 'problems'
            ? {
                [Op.or]: [
                  { status: { [Op.in]: ['failed', 'dead', 'suppressed'] } },
                  { status: 'queued', attempts: { [Op.gt]: 0 } },
                ],
              }
            : { status };
      return OutboxMail.findAll({ where, order: [['id', 'DESC']], limit });
    },

    /**
     * When the mail with this Message-ID left (not sent yet: when it will leave at the earliest): link fetches within seconds of it
     * come from the recipient's mail scanner, not a person (issue 11, item 2). Null for a mail we never queued.
     */
    async sentAt(messageId: string): Promise<Date | null> {
      const m = await OutboxMail.findOne({
        where: { emailMessageId: messageId },
        attributes: ['sentAt', 'nextAttemptAt'],
      });
      return m ? (m.sentAt ?? m.nextAttemptAt) : null;
    },

    /** The ticket of the newest mail we sent under one of these Message-IDs (threading, bounces). */
    async ticketIdByMessageIds(messageIds: string[]): Promise<number | null> {
      if (!messageIds.length) return null;
      const m = await OutboxMail.findOne({
        where: { emailMessageId: { [Op.in]: messageIds } },
        order: [['id', 'DESC']],
        attributes: ['ticketId'],
      });
      return m?.ticketId ?? null;
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
