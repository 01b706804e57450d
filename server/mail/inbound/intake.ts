/**
 * Email intake, shared by every mail source (IMAP, webhook, .eml file). Store first: the raw bytes commit under a
 * unique key (Message-ID, or a hash of the bytes when there is none) before anything else, so re-delivery is
 * harmless; then the stored row is processed. Each step is idempotent: a crash at any point is repaired by
 * processing the row again (message Message-IDs are unique too, so no ticket or comment is made twice).
 * A row is claimed before it is worked on and every claim counts an attempt (claims.ts); parsing runs in a worker
 * pool with a time budget (parse-pool.ts), and a message over it is kept raw and quarantined with the reason.
 */
import { Op, UniqueConstraintError } from 'sequelize';
import type { Agents } from '../../agents/agents.js';
import type { InboundEmail, Models } from '../../db/models.js';
import type { Logger } from '../../log.js';
import type { TicketService } from '../../tickets/service.js';
import { ERRORS } from '../../errors.js';
import { splitAddress, type MailIds } from '../outbound/ids.js';
import type { Outbox } from '../outbound/outbox.js';
import { senderVerdict } from './auth-results.js';
import { commentFor, emailRole, type EmailRole } from './identity.js';
import type { Threading } from './threading.js';
import type { IntakeResult, IntakeStatus, ParsedEmail } from './types.js';
import { createRawStore, dedupeKey, rawMessageId, type Stored } from './raw-store.js';
import { createClaims, MAX_ATTEMPTS } from './claims.js';
import { type MailParser, ParseQuarantine, sharedParsePool } from './parse-pool.js';

/** Messages of a batch parsed ahead of the one being processed: enough to keep the parse workers busy. */
const PARSE_AHEAD = 4;

export interface IntakeDeps {
  /** This room owns inbound_emails. */
  models: Pick<Models, 'InboundEmail'>;
  tickets: TicketService;
  agents: Agents;
  outbox: Outbox;
  ids: MailIds;
  threading: Threading;
  mailFrom: string;
  maxBytes: number;
  reopenWindowDays: number;
  /** MAIL_TRUSTED_AUTHSERV_ID: the receiving server whose Authentication-Results are believed. */
  trustedAuthservId?: string;
  clock: () => Date;
  log: Logger;
  /** Where parsing runs; the process's worker pool unless given (tests pass one with a small budget). */
  parser?: MailParser;
  /** How long a claim on a stored row holds without renewal (LEASE_SECONDS); 30 s unless given. */
  claimMs?: number;
}

/**
 * Lets timers and other requests run between the steps of a large message: each step (storing 25 MB, copying it
 * to the parse worker) is one synchronous block of tens of ms, and back-to-back microtasks would add them up.
 */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export type { IntakeResult, IntakeStatus } from './types.js';
export { dedupeKey, rawMessageId, type Stored } from './raw-store.js';

export function createIntake(deps: IntakeDeps) {
  const { InboundEmail } = deps.models;
  const { reads } = deps.tickets;
  const ourAddress = splitAddress(deps.mailFrom).join('@').toLowerCase();
  const parser = deps.parser ?? sharedParsePool();
  const claims = createClaims({ models: deps.models, claimMs: deps.claimMs ?? 30_000, clock: deps.clock });
  const { keyed, storeOne, storeBatch } = createRawStore({ models: deps.models, maxBytes: deps.maxBytes, claims });

  async function finish(
    row: InboundEmail,
    status: 'processed' | 'ignored' | 'failed',
    r: Omit<IntakeResult, 'inboundId'>,
  ): Promise<IntakeResult> {
    await claims.update(row, {
      status,
      reason: r.reason?.slice(0, 500) ?? null,
      ticketId: r.ticketId ?? null,
      processedAt: deps.clock(),
      claimedBy: null,
      claimedUntil: null,
    });
    deps.log.info(
      { inboundId: row.id, messageId: row.messageId, ticketId: r.ticketId, status: r.status, reason: r.reason },
      'email processed',
    );
    return { inboundId: row.id, ...r };
  }

  const toAttachments = (mail: ParsedEmail) =>
    mail.attachments.map((a) => ({
      filename: a.filename.slice(0, 255),
      contentType: a.contentType.slice(0, 150),
      size: a.size,
      contentId: a.contentId?.slice(0, 255) ?? null,
      inline: a.inline,
      content: a.content,
    }));

  const settled = (row: InboundEmail): IntakeResult => ({
    status: row.status === 'processed' ? 'duplicate' : (row.status as IntakeStatus),
    inboundId: row.id,
    ticketId: row.ticketId,
    reason: row.reason,
  });

  /** Claims a stored row and works on it; safe to call again after a crash. */
  async function process(row: InboundEmail): Promise<IntakeResult> {
    if (row.status !== 'received') return settled(row);
    if (!(await claims.claim(row.id))) {
      await row.reload();
      if (row.status !== 'received') return settled(row);
      return {
        status: 'received',
        inboundId: row.id,
        reason: 'being processed by another worker',
        claimedElsewhere: true,
      };
    }
    await row.reload();
    return work(row);
  }

  /** Works on a row we hold the claim on: quarantined past MAX_ATTEMPTS, else processed with the claim renewed. */
  async function work(row: InboundEmail, parsed?: Promise<ParsedEmail>): Promise<IntakeResult> {
    if (row.attempts > MAX_ATTEMPTS) {
      const last = row.reason ?? 'the process stopped while handling it (a crash or a restart)';
      deps.log.error({ inboundId: row.id, messageId: row.messageId, attempts: row.attempts }, 'email quarantined');
      return finish(row, 'failed', { status: 'failed', reason: `quarantined after ${MAX_ATTEMPTS} attempts: ${last}` });
    }
    const stop = claims.keepAlive(row.id);
    try {
      return await processClaimed(row, parsed);
    } catch (err) {
      // Let the next attempt (recovery job, next IMAP pass) have it at once, and remember why this one failed.
      await claims
        .update(row, {
          reason: `attempt ${row.attempts} failed: ${(err as Error).message}`.slice(0, 500),
          claimedBy: null,
          claimedUntil: null,
        })
        .catch(() => undefined);
      throw err;
    } finally {
      stop();
    }
  }

  /** A row whose message was over the limit holds only its head: it is parsed as over the limit too. */
  const parse = (row: InboundEmail) =>
    parser.parse(row.raw, { maxBytes: row.size > deps.maxBytes ? 1 : deps.maxBytes });

  /** `parsed`: the parse of row.raw when it was started ahead (processMany). */
  async function processClaimed(row: InboundEmail, parsed?: Promise<ParsedEmail>): Promise<IntakeResult> {
    let mail: ParsedEmail;
    try {
      await yieldToLoop();
      mail = await (parsed ?? parse(row));
    } catch (err) {
      if (err instanceof ParseQuarantine) {
        deps.log.error({ inboundId: row.id, messageId: row.messageId, reason: err.message }, 'email quarantined');
        return finish(row, 'failed', { status: 'failed', reason: `quarantined: ${err.message}` });
      }
      return finish(row, 'failed', { status: 'failed', reason: `unparseable: ${(err as Error).message}` });
    }
    if (!mail.from?.address) return finish(row, 'failed', { status: 'failed', reason: 'no sender address' });
    // RFC 5321 caps an address at 254 octets; the column holds 320. Longer is not an address anyone can answer.
    if (mail.from.address.length > 320)
      return finish(row, 'failed', { status: 'failed', reason: 'sender address too long' });
    const sender = mail.from.address.toLowerCase();
    if (sender === ourAddress) return finish(row, 'ignored', { status: 'ignored', reason: 'our own mail (loop)' });
    if (mail.autoGenerated) {
      let ticketId: number | null = null;
      if (mail.autoKind === 'bounce' && mail.bounceOf) {
        ticketId =
          deps.ids.ticketFromMessageId(mail.bounceOf) ?? (await deps.outbox.ticketIdByMessageIds([mail.bounceOf]));
        if (ticketId) await deps.tickets.recordBounce(ticketId, { inboundId: row.id, reason: mail.autoReason });
      }
      return finish(row, 'ignored', {
        status: 'ignored',
        ticketId,
        reason: `${mail.autoKind ?? 'auto'}: ${mail.autoReason ?? ''}`.trim(),
      });
    }

    // Columns hold 255 characters and MySQL (strict mode) refuses longer values, so the email would never become a
    // ticket: an absurdly long Message-ID becomes the dedupe key (its hash), a long In-Reply-To is cut.
    const messageId = mail.messageId && mail.messageId.length <= 255 ? mail.messageId : row.dedupeKey;
    const text = (mail.newText.trim() || mail.text.trim() || '(empty message)').slice(0, 100_000);
    const email = {
      messageId,
      inReplyTo: mail.inReplyTo?.slice(0, 255) ?? null,
      references: mail.references,
      html: mail.html,
      fullText: mail.text.slice(0, 1_000_000),
      inboundEmailId: row.id,
      attachments: toAttachments(mail),
    };
    const notice =
      mail.attachmentsDropped || row.size > deps.maxBytes
        ? `${ERRORS.mail_too_large.message} The limit is ${Math.round(deps.maxBytes / 1048576)} MB; please share large files by link.`
        : undefined;
    try {
      const thread = await deps.threading.find(mail);
      const windowMs = deps.reopenWindowDays * 86400_000;
      const expired =
        thread &&
        thread.ticket.status === 'closed' &&
        (!thread.ticket.closedAt || deps.clock().getTime() - thread.ticket.closedAt.getTime() > windowMs);
      let role: EmailRole | null = null;
      if (thread && !expired) {
        // Who this counts as is earned (secrets we issued, the trusted server's DMARC verdict), not read from From:.
        const agent = await deps.agents.activePerson(sender);
        role = emailRole({
          by: thread.by,
          agent,
          isRequester: !agent && (await reads.owned(thread.ticket.id, sender)) !== null,
          verdict: senderVerdict(mail.headerLines, sender, deps.trustedAuthservId),
        });
        if (role.as !== 'new_ticket') {
          const { input, actor } = commentFor(role, sender, text, email);
          const t = await deps.tickets.comment(thread.ticket.id, input, actor);
          return finish(row, 'processed', {
            status: 'commented',
            ticketId: t.id,
            ref: t.ref,
            reason: `threaded by ${thread.by}; as ${role.as}${'why' in role ? ` (${role.why})` : ''}`,
          });
        }
      }
      const t = await deps.tickets.create({
        name: (mail.from.name || sender.split('@')[0]!).slice(0, 200),
        email: sender,
        subject: mail.subject || null,
        issue: text,
        channel: 'email',
        mail: { ...email, notice },
        parentTicketId: expired ? thread!.ticket.id : null,
      });
      return finish(row, 'processed', {
        status: 'created',
        ticketId: t.id,
        ref: t.ref,
        reason: expired
          ? `reply to ${thread!.ticket.ref} after the reopen window: new linked ticket`
          : role
            ? `not threaded onto ${thread!.ticket.ref}: ${'why' in role ? role.why : ''}`
            : null,
      });
    } catch (err) {
      if (err instanceof UniqueConstraintError) {
        // Processed before a crash: the message is already on its ticket.
        const id = await reads.ticketIdByMessageIds([messageId]);
        let t = id ? await reads.find(id) : null;
        // The crash came between storing and triage: triage now (idempotent), before a reply can move the ticket
        // on to 'open' untriaged, instead of waiting for the recovery sweep.
        if (t?.status === 'new') t = await deps.tickets.triageStored(t.id);
        return finish(row, 'processed', {
          status: 'duplicate',
          ticketId: t?.id ?? null,
          ref: t?.ref ?? null,
          reason: 'already on the ticket',
        });
      }
      throw err;
    }
  }

  const ownRows = (stored: Stored[]) => stored.flatMap((s) => ('row' in s && s.ours ? [s.row.id] : []));

  /** Works on a stored row; an error leaves it stored for the recovery job, nothing is lost. */
  async function run(s: { row: InboundEmail; ours: boolean }, parsed?: Promise<ParsedEmail>): Promise<IntakeResult> {
    try {
      return s.ours ? await work(s.row, parsed) : await process(s.row);
    } catch (err) {
      // Stored but not processed (database hiccup, …): the recovery job tries again.
      deps.log.error(
        { err, inboundId: s.row.id, messageId: s.row.messageId },
        'email stored but processing failed; will retry',
      );
      return { status: 'received', inboundId: s.row.id, reason: (err as Error).message };
    }
  }

  return {
    process,
    /** Stores the raw message (deduplicated), then processes it. */
    async receive(raw: Buffer, source: InboundEmail['source']): Promise<IntakeResult> {
      await yieldToLoop();
      const m = keyed(raw);
      await yieldToLoop();
      const s = await storeOne(m, source);
      if ('result' in s) return s.result;
      return run(s as { row: InboundEmail; ours: boolean });
    },
    /**
     * Stores a batch of raw messages (deduplicated, also within the batch) in one transaction; nothing is
     * processed yet. When the batch cannot be stored, each message is stored on its own, so one the database
     * refuses (larger than max_allowed_packet, say) answers for itself and does not hold back the rest.
     */
    async storeMany(raws: Buffer[], source: InboundEmail['source']): Promise<Stored[]> {
      const batch = raws.map(keyed);
      try {
        return await storeBatch(batch, source);
      } catch (err) {
        if (batch.length === 1) return [{ error: err as Error }];
        deps.log.warn({ err: (err as Error).message, n: batch.length }, 'batch not stored; storing one by one');
        const out: Stored[] = [];
        for (const m of batch) out.push(await storeOne(m, source).catch((e: Error) => ({ error: e })));
        return out;
      }
    },
    /**
     * Keeps our claims on a stored batch's rows alive until the returned stop() (one UPDATE per renewal), for a
     * batch that waits its turn while the one before it is processed.
     */
    hold: (stored: Stored[]) => claims.keepAliveMany(ownRows(stored)),
    /**
     * Processes what storeMany stored, one message after another in the order given (a reply in the same batch
     * as the mail it answers must find that mail's ticket), while up to `parseAhead` of the next ones parse in
     * the worker pool. One at a time also keeps the attempts honest: a message that kills the process spends
     * only its own (MAX_ATTEMPTS), not those of messages beside it.
     * When `stopping` answers true, rows not started yet are left, their claims given up, for the next pass.
     * Answers per message; null where it was not stored (or left).
     */
    async processMany(
      stored: Stored[],
      o: { parseAhead?: number; stopping?: () => boolean } = {},
    ): Promise<(IntakeResult | null)[]> {
      const ahead = o.parseAhead ?? PARSE_AHEAD;
      const stopRenewing = claims.keepAliveMany(ownRows(stored));
      const out = stored.map((s) => ('result' in s ? s.result : null));
      // Only our own rows hold their raw bytes here; one stored before is read when it is claimed (process()).
      const parsing = new Map<number, Promise<ParsedEmail>>();
      const parseUpTo = (end: number) => {
        for (let j = 0; j < Math.min(end, stored.length); j++) {
          const s = stored[j]!;
          if (!('row' in s) || !s.ours || parsing.has(j)) continue;
          const p = parse(s.row);
          p.catch(() => undefined); // awaited (and its error handled) when the row's turn comes
          parsing.set(j, p);
        }
      };
      const left: number[] = [];
      try {
        for (const [i, s] of stored.entries()) {
          if (!('row' in s)) continue;
          if (o.stopping?.()) {
            if (s.ours) left.push(s.row.id);
            continue;
          }
          parseUpTo(i + 1 + ahead);
          const parsed = parsing.get(i);
          parsing.delete(i);
          out[i] = await run(s, parsed);
        }
      } finally {
        stopRenewing();
        await claims.release(left).catch(() => undefined); // else they wait for the claim to expire
      }
      stored.forEach((s, i) => {
        const r = 'sameAs' in s ? out[s.sameAs] : null;
        if (r) out[i] = { ...r, status: r.status === 'failed' ? 'failed' : 'duplicate', reason: 'twice in one batch' };
      });
      return out;
    },
    /**
     * Records a message that could not even be stored (e.g. larger than MySQL's max_allowed_packet) as failed,
     * keeping its head, so the source can move it to Failed instead of retrying it forever ahead of the rest.
     */
    async quarantine(raw: Buffer, source: InboundEmail['source'], reason: string): Promise<IntakeResult> {
      const messageId = rawMessageId(raw);
      const key = dedupeKey(raw, messageId);
      const existing = await InboundEmail.findOne({ where: { dedupeKey: key } });
      if (existing) {
        await existing.update({ status: 'failed', reason: reason.slice(0, 500), claimedBy: null, claimedUntil: null });
        return { status: 'failed', inboundId: existing.id, reason };
      }
      const row = await InboundEmail.create({
        dedupeKey: key,
        messageId: messageId?.slice(0, 255) ?? null,
        source,
        raw: raw.subarray(0, 64 * 1024),
        size: raw.length,
        status: 'failed',
        reason: reason.slice(0, 500),
        ticketId: null,
      });
      return { status: 'failed', inboundId: row.id, reason };
    },
    /** Emails that failed processing or were quarantined, newest first (the console's admin page). */
    failed: (limit = 200) => InboundEmail.findAll({ where: { status: 'failed' }, order: [['id', 'DESC']], limit }),
    /** Hands a failed email back to intake (the recovery job picks it up); false when it was not failed. */
    async requeue(id: number) {
      const [n] = await InboundEmail.update(
        { status: 'received', attempts: 0, claimedBy: null, claimedUntil: null },
        { where: { id, status: 'failed' } },
      );
      return n > 0;
    },
    /** Marks a failed email as ignored (kept, with who discarded it). */
    async discard(id: number, by: string) {
      const [n] = await InboundEmail.update(
        { status: 'ignored', reason: `discarded by ${by}`.slice(0, 500) },
        { where: { id, status: 'failed' } },
      );
      return n > 0;
    },
    /**
     * Processes rows left 'received' that nobody holds (a crash, or an error after storing). Each is claimed first,
     * which counts an attempt; past MAX_ATTEMPTS it is quarantined instead.
     */
    async recover(olderThanMs = 0): Promise<number> {
      const now = deps.clock();
      // Ids only: a hundred 25 MB rows must not be loaded at once.
      const ids = await InboundEmail.findAll({
        attributes: ['id'],
        where: olderThanMs
          ? { ...claims.free(now), createdAt: { [Op.lt]: new Date(now.getTime() - olderThanMs) } }
          : claims.free(now),
        order: [['id', 'ASC']],
        limit: 100,
      });
      let n = 0;
      for (const { id } of ids) {
        try {
          if (!(await claims.claim(id))) continue; // taken meanwhile (live intake, another process)
          const row = await InboundEmail.findByPk(id);
          if (!row) continue;
          n++;
          await work(row);
        } catch (err) {
          deps.log.error({ err, inboundId: id }, 'reprocessing failed; will retry');
        }
      }
      return n;
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
