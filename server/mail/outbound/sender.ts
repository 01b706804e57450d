/**
 * The outbox sender. Due rows are claimed in one statement (claimed_by = a token of this batch, claimed_until)
 * before anything is sent, so two processes, or one whose job lease ran out in a slow batch, never send the same
 * mail; the claim is renewed while the batch runs. Mails go out in parallel over the transport's pooled
 * connections, and the rows are marked sent together. A sender that dies leaves claims that expire after claimMs:
 * only then does the mail go again, with the Message-ID stored on the row, so a recipient's client can drop the
 * copy. Delivery is at least once, and a second copy is possible only for mails handed to SMTP in the last
 * moments before a crash (the sends in flight and those of one marking UPDATE, some tens of milliseconds).
 */
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { Models, OutboxMail } from '../../db/models.js';
import type { Logger } from '../../log.js';
import { afterFailure, stopsBatch } from './outbox-rules.js';
import type { MailTransport } from './transport.js';

/** Sent mails gathered for one UPDATE: up to this many, or whatever came within this time. */
const MARK_BATCH = 50;
const MARK_GATHER_MS = 20;

export interface SenderDeps {
  models: Pick<Models, 'OutboxMail'>;
  sequelize: Sequelize;
  from: string;
  clock: () => Date;
  log: Logger;
  /** This process (the lease holder's name); a batch's token is holder#n. */
  holder: string;
  /** How long a claim holds without renewal: a dead sender's mails wait this long before they go again. */
  claimMs: number;
  /** Rows claimed at once. */
  batch?: number;
}

export interface DeliverOptions {
  /** Aborted when the job's lease is lost or the server stops: no new batch is claimed. */
  signal?: AbortSignal;
  /** Rows per batch (default deps.batch). */
  limit?: number;
}

export function createSender(deps: SenderDeps) {
  const { OutboxMail } = deps.models;
  const mysql = deps.sequelize.getDialect() !== 'sqlite';
  // Dates as the models write them: Sequelize's own escaping of a Date drops the milliseconds on MySQL, and a mail
  // queued this second would then wait for the next one.
  const at = (d: Date) =>
    d
      .toISOString()
      .replace('T', ' ')
      .replace('Z', mysql ? '' : ' +00:00');
  const q = (sql: string, replacements: Record<string, unknown>) =>
    deps.sequelize.query(sql, { replacements, type: QueryTypes.UPDATE });
  let seq = 0;
  let sending = false;

  /** Claims up to `n` due rows nobody holds for `token`; returns them oldest first. */
  async function claim(token: string, n: number): Promise<OutboxMail[]> {
    const now = deps.clock();
    const until = new Date(now.getTime() + deps.claimMs);
    const free = `status = 'queued' AND next_attempt_at <= :now AND (claimed_until IS NULL OR claimed_until < :now)`;
    // One statement, so the pick and the claim cannot be split by another sender. MySQL updates with ORDER BY
    // and LIMIT directly (it refuses LIMIT in an IN subquery); SQLite picks in a subquery under its write lock.
    const sql = mysql
      ? `UPDATE outbox SET claimed_by = :token, claimed_until = :until WHERE ${free} ORDER BY next_attempt_at, id LIMIT :n`
      : `UPDATE outbox SET claimed_by = :token, claimed_until = :until WHERE id IN ` +
        `(SELECT id FROM outbox WHERE ${free} ORDER BY next_attempt_at, id LIMIT :n)`;
    await q(sql, { token, until: at(until), now: at(now), n });
    return OutboxMail.findAll({ where: { claimedBy: token, status: 'queued' }, order: [['id', 'ASC']] });
  }

  /** Sends one claimed batch with `parallel` sends at a time; false when a fatal error stopped it. */
  async function sendBatch(transport: MailTransport, token: string, rows: OutboxMail[], tally: Tally) {
    const sentIds: number[] = [];
    // Marks are group-committed: one UPDATE at a time, each taking every mail sent while the one before it ran, so
    // a mail stays sent-but-queued (what a crash would send again) for MARK_GATHER_MS and one UPDATE's time.
    let marking: Promise<void> | null = null;
    const markSent = async (): Promise<void> => {
      while (sentIds.length) {
        // A short gather first, so a fast relay does not cost one UPDATE per mail.
        if (sentIds.length < MARK_BATCH) await new Promise((r) => setTimeout(r, MARK_GATHER_MS));
        const ids = sentIds.splice(0);
        await OutboxMail.update(
          {
            status: 'sent',
            sentAt: deps.clock(),
            attempts: deps.sequelize.literal('attempts + 1') as unknown as number,
            lastError: null,
            claimedBy: null,
            claimedUntil: null,
          },
          // Sent is the truth even if our claim ran out meanwhile.
          { where: { id: { [Op.in]: ids }, status: 'queued' } },
        ).catch((err: unknown) => {
          sentIds.unshift(...ids); // the next flush (at the latest the batch's last) tries them again
          throw err;
        });
      }
    };
    const flush = (): Promise<void> =>
      (marking ??= markSent().finally(() => {
        marking = null;
      }));
    const renew = setInterval(
      () => {
        void q(`UPDATE outbox SET claimed_until = :until WHERE claimed_by = :token AND status = 'queued'`, {
          until: at(new Date(deps.clock().getTime() + deps.claimMs)),
          token,
        }).catch((err: unknown) => deps.log.warn({ err }, 'outbox claim not renewed'));
      },
      Math.max(100, deps.claimMs / 3),
    );
    let next = 0;
    let fatal = false;
    const worker = async () => {
      while (!fatal && next < rows.length) {
        const m = rows[next++]!;
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
          sentIds.push(m.id);
          void flush().catch((err: unknown) => deps.log.warn({ err }, 'sent mails not marked yet; retried at the end'));
          tally.sent++;
          deps.log.info({ ticketId: m.ticketId, messageId: m.emailMessageId, kind: m.kind }, 'mail sent');
        } catch (err) {
          tally.failed++;
          await failed(m, token, err);
          // When the server is down, or refuses our sign-in or TLS, every further send fails the same way.
          if (stopsBatch(err)) fatal = true;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(transport.parallel ?? 1, rows.length) }, worker));
    } finally {
      clearInterval(renew);
      // The marking under way (or a first try), then one more for what is left; a failure of that one throws.
      await flush().catch(() => undefined);
      await flush();
      // Rows not tried (a fatal error stopped the batch) are free again at once, their attempts unchanged.
      const untried = rows.slice(next).map((m) => m.id);
      if (untried.length)
        await OutboxMail.update(
          { claimedBy: null, claimedUntil: null },
          { where: { id: { [Op.in]: untried }, claimedBy: token } },
        );
    }
    return !fatal;
  }

  /** Counts the attempt and schedules the next one with backoff; dead after MAX_ATTEMPTS (outbox-rules.ts). */
  async function failed(m: OutboxMail, token: string, err: unknown) {
    const { attempts, dead, nextAttemptAt } = afterFailure(m.attempts, deps.clock());
    await OutboxMail.update(
      {
        attempts,
        status: dead ? 'dead' : 'queued',
        lastError: String((err as Error).message ?? err).slice(0, 1000),
        nextAttemptAt,
        claimedBy: null,
        claimedUntil: null,
      },
      { where: { id: m.id, claimedBy: token } },
    );
    deps.log.warn(
      { ticketId: m.ticketId, messageId: m.emailMessageId, attempts, err: (err as Error).message },
      dead ? 'mail given up' : 'mail send failed, will retry',
    );
  }

  return {
    /**
     * Sends everything due, batch after batch, until the queue is empty, a fatal error, or `signal` aborts. One
     * run at a time per process; claims keep other processes (and a later run here) off the rows in flight.
     */
    async deliverDue(transport: MailTransport, o: DeliverOptions = {}): Promise<Tally> {
      const tally: Tally = { sent: 0, failed: 0 };
      if (sending) return tally;
      sending = true;
      const n = o.limit ?? deps.batch ?? 200;
      try {
        while (!o.signal?.aborted) {
          const token = `${deps.holder.slice(0, 80)}#${++seq}`;
          const rows = await claim(token, n);
          if (!rows.length) break;
          if (!(await sendBatch(transport, token, rows, tally)) || rows.length < n) break;
        }
      } finally {
        transport.release?.();
        sending = false;
      }
      return tally;
    },
  };
}

export interface Tally {
  sent: number;
  failed: number;
}

export type Sender = ReturnType<typeof createSender>;
