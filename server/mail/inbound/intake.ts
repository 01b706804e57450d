/**
 * Email intake, shared by every mail source (IMAP, webhook, .eml file). Store first: the raw bytes commit under a
 * unique key (Message-ID, or a hash of the bytes when there is none) before anything else, so re-delivery is
 * harmless; then the stored row is processed. Each step is idempotent: a crash at any point is repaired by
 * processing the row again (message Message-IDs are unique too, so no ticket or comment is made twice).
 */
import { createHash } from 'node:crypto';
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
import type { ParsedEmail } from './types.js';
import { parseEmail } from './parse.js';

/** How much of an over-limit message is kept: enough for any text anyone writes. */
const OVERSIZE_KEEP = 1024 * 1024;

export type IntakeStatus = 'created' | 'commented' | 'ignored' | 'failed' | 'duplicate' | 'received';

export interface IntakeResult {
  status: IntakeStatus;
  inboundId: number;
  ticketId?: number | null;
  ref?: string | null;
  reason?: string | null;
}

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
}

/** The Message-ID from the raw header block, without parsing the whole message. */
export function rawMessageId(raw: Buffer): string | null {
  const end = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
  const head = raw
    .subarray(0, end >= 0 ? Math.min(end, 256 * 1024) : Math.min(raw.length, 256 * 1024))
    .toString('latin1');
  const m = /^message-id:[ \t]*(?:\r?\n[ \t]+)?<?([^<>\s]+)>?/im.exec(head);
  return m?.[1] ?? null;
}

/** Dedupe key: the Message-ID (hashed when absurdly long), or a hash of the raw bytes. */
export function dedupeKey(raw: Buffer, messageId: string | null): string {
  if (messageId && messageId.length <= 250) return messageId;
  return (
    'sha256:' +
    createHash('sha256')
      .update(messageId ?? raw)
      .digest('hex')
  );
}

export function createIntake(deps: IntakeDeps) {
  const { InboundEmail } = deps.models;
  const { reads } = deps.tickets;
  const ourAddress = splitAddress(deps.mailFrom).join('@').toLowerCase();

  async function finish(
    row: InboundEmail,
    status: 'processed' | 'ignored' | 'failed',
    r: Omit<IntakeResult, 'inboundId'>,
  ): Promise<IntakeResult> {
    await row.update({
      status,
      reason: r.reason?.slice(0, 500) ?? null,
      ticketId: r.ticketId ?? null,
      processedAt: deps.clock(),
      attempts: row.attempts + 1,
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

  /** Works on one stored row; safe to call again after a crash. */
  async function process(row: InboundEmail): Promise<IntakeResult> {
    if (row.status !== 'received')
      return {
        status: row.status === 'processed' ? 'duplicate' : (row.status as IntakeStatus),
        inboundId: row.id,
        ticketId: row.ticketId,
        reason: row.reason,
      };
    let mail: ParsedEmail;
    try {
      // A row whose message was over the limit holds only its head: parse it as over the limit too.
      mail = await parseEmail(row.raw, { maxBytes: row.size > deps.maxBytes ? 1 : deps.maxBytes });
    } catch (err) {
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

  return {
    process,
    /** Stores the raw message (deduplicated), then processes it. */
    async receive(raw: Buffer, source: InboundEmail['source']): Promise<IntakeResult> {
      const messageId = rawMessageId(raw);
      const key = dedupeKey(raw, messageId);
      let row: InboundEmail;
      try {
        // Over MAIL_MAX_BYTES only the head of the message is kept (the text comes first in practice); the
        // ticket still opens and the sender is told that attachments were dropped.
        const stored = raw.length > deps.maxBytes ? raw.subarray(0, OVERSIZE_KEEP) : raw;
        row = await InboundEmail.create({
          dedupeKey: key,
          messageId: messageId?.slice(0, 255) ?? null,
          source,
          raw: stored,
          size: raw.length,
          status: 'received',
          reason: null,
          ticketId: null,
        });
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err;
        const existing = (await InboundEmail.findOne({ where: { dedupeKey: key } }))!;
        if (existing.status !== 'received')
          return {
            status: 'duplicate',
            inboundId: existing.id,
            ticketId: existing.ticketId,
            reason: 'already received',
          };
        row = existing;
      }
      try {
        return await process(row);
      } catch (err) {
        // Stored but not processed (database hiccup, …): the recovery job tries again; nothing is lost.
        deps.log.error({ err, inboundId: row.id, messageId }, 'email stored but processing failed; will retry');
        return { status: 'received', inboundId: row.id, reason: (err as Error).message };
      }
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
        await existing.update({ status: 'failed', reason: reason.slice(0, 500) });
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
      const [n] = await InboundEmail.update({ status: 'received', attempts: 0 }, { where: { id, status: 'failed' } });
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
    /** Processes rows left 'received' (a crash or error after storing). */
    async recover(olderThanMs = 30_000): Promise<number> {
      const rows = await InboundEmail.findAll({
        where: { status: 'received', createdAt: { [Op.lt]: new Date(deps.clock().getTime() - olderThanMs) } },
        order: [['id', 'ASC']],
        limit: 100,
      });
      for (const r of rows) {
        try {
          await process(r);
        } catch (err) {
          deps.log.error({ err, inboundId: r.id }, 'reprocessing failed');
          if (r.attempts >= 5)
            await r.update({
              status: 'failed',
              reason: `processing failed 5 times: ${(err as Error).message}`.slice(0, 500),
            });
          else await r.update({ attempts: r.attempts + 1 });
        }
      }
      return rows.length;
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
