/**
 * The outbox: an email is queued in the same transaction as the ticket change that causes it, and a sender job
 * (sender.ts) delivers it with retry and backoff, so an SMTP outage delays mail and loses none.
 */
import { Op, QueryTypes, type Transaction } from 'sequelize';
import type { FastSql, Sql } from '../../db/fast-sql.js';
import type { Models, OutboxMail } from '../../db/models.js';
import type { Logger } from '../../log.js';
import { AUTO_LIMIT, CAP_SQL, outboxRow, type QueuedMail } from './outbox-row.js';
import { enqueueSql } from './outbox-sql.js';

export { AUTO_LIMIT, type QueuedMail };

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
      const recent = (key: string, since: Date) =>
        OutboxMail.sequelize!.query<{ n: number }>(CAP_SQL, {
          replacements: [key, since],
          transaction,
          type: QueryTypes.SELECT,
        });
      const row = await outboxRow(deps, mail, now, async (key, since) => Number((await recent(key, since))[0]?.n));
      return OutboxMail.create(row, { transaction });
    },

    /** Queues mails inside a transaction of the fast create path (outbox-sql.ts). */
    enqueueSql: (fast: Pick<FastSql, 'date'>, q: Sql, mails: QueuedMail[]) =>
      enqueueSql(deps, fast, q, mails, deps.clock()),

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
