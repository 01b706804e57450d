/**
 * The outbox: an email is queued in the same transaction as the ticket change that causes it, and a sender job
 * delivers it with retry and backoff, so an SMTP outage delays mail and loses none.
 */
import { Op, type Transaction } from 'sequelize';
import type { Models, OutboxMail } from '../../db/models.js';
import type { Logger } from '../../log.js';
import type { MailTransport } from './transport.js';

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

/** At most this many automatic mails to one address per window: a loop with another robot stops here. */
export const AUTO_LIMIT = { count: 10, windowMs: 3 * 3600_000 };
const MAX_ATTEMPTS = 20;
const backoffMs = (attempts: number) => Math.min(5_000 * 2 ** (attempts - 1), 3600_000);

export function createOutbox(deps: { models: Models; from: string; clock: () => Date; log: Logger }) {
  const { OutboxMail } = deps.models;
  let sending = false;

  return {
    /** Queues a mail inside the caller's transaction; returns the row (status suppressed when over the limit). */
    async enqueue(mail: QueuedMail, transaction: Transaction): Promise<OutboxMail> {
      const now = deps.clock();
      let status: OutboxMail['status'] = 'queued';
      let lastError: string | null = null;
      if (mail.automatic) {
        const recent = await OutboxMail.count({
          where: {
            toAddr: mail.to,
            automatic: true,
            status: { [Op.in]: ['queued', 'sent'] },
            createdAt: { [Op.gt]: new Date(now.getTime() - AUTO_LIMIT.windowMs) },
          },
          transaction,
        });
        if (recent >= AUTO_LIMIT.count) {
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

    /** Sends what is due; one batch at a time per process (the caller holds the outbox lease across processes). */
    async deliverDue(transport: MailTransport, limit = 25): Promise<{ sent: number; failed: number }> {
      if (sending) return { sent: 0, failed: 0 };
      sending = true;
      let sent = 0;
      let failed = 0;
      try {
        const due = await OutboxMail.findAll({
          where: { status: 'queued', nextAttemptAt: { [Op.lte]: deps.clock() } },
          order: [['id', 'ASC']],
          limit,
        });
        for (const m of due) {
          try {
            await transport.send({
              from: deps.from,
              to: m.toAddr,
              subject: m.subject,
              text: m.text,
              html: m.html,
              messageId: m.emailMessageId,
              headers: m.headers,
            });
            await m.update({ status: 'sent', sentAt: deps.clock(), attempts: m.attempts + 1, lastError: null });
            sent++;
            deps.log.info({ ticketId: m.ticketId, messageId: m.emailMessageId, kind: m.kind }, 'mail sent');
          } catch (err) {
            failed++;
            const attempts = m.attempts + 1;
            const dead = attempts >= MAX_ATTEMPTS;
            await m.update({
              attempts,
              status: dead ? 'dead' : 'queued',
              lastError: String((err as Error).message ?? err).slice(0, 1000),
              nextAttemptAt: new Date(deps.clock().getTime() + backoffMs(attempts)),
            });
            deps.log.warn(
              { ticketId: m.ticketId, messageId: m.emailMessageId, attempts, err: (err as Error).message },
              dead ? 'mail given up' : 'mail send failed, will retry',
            );
            // When the server is down, or refuses our sign-in or TLS, every further send fails the same way: stop
            // the batch, retry later.
            if (
              /ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ESOCKET|EAUTH|ETLS/.test(
                String((err as { code?: string }).code ?? (err as Error).message),
              )
            )
              break;
          }
        }
      } finally {
        sending = false;
      }
      return { sent, failed };
    },

    /** Puts a failed or dead mail back in the queue now (admin retry). */
    async retry(id: number) {
      const [n] = await OutboxMail.update(
        { status: 'queued', nextAttemptAt: deps.clock(), attempts: 0 },
        { where: { id, status: { [Op.in]: ['failed', 'dead', 'suppressed'] } } },
      );
      return n > 0;
    },

    /** Counts queued mail (for /metrics and /healthz). */
    depth: () => OutboxMail.count({ where: { status: 'queued' } }),
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
