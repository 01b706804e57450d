/** What a queued mail is, and the row it becomes (shared by Outbox.enqueue and the fast path's outbox-sql.ts). */
import type { OutboxMail } from '../../db/models.js';
import { addressKey } from '../../domain/address.js';
import type { Logger } from '../../log.js';
import { AUTO_LIMIT, autoWindowStart, overAutoLimit } from './outbox-rules.js';
import type { OutgoingEnvelope } from './transport.js';

export { AUTO_LIMIT };

/** A mail to queue: what goes to SMTP (the sender is ours), the ticket it is about and its kind. */
export interface QueuedMail extends Omit<OutgoingEnvelope, 'from'> {
  ticketId: number | null;
  kind: string;
  /** Automatic mail (answers, notices) counts toward the per-sender limit; a person's reply does not. */
  automatic: boolean;
}

/**
 * The per-address count, bounded: on the (limit_key, automatic, status, created_at) index (migration 0017) it reads
 * only the rows it counts, and stops at the cap, so a busy address costs what a quiet one does (it scanned every mail
 * to that address in the window: issue 12).
 */
export const CAP_SQL =
  'SELECT COUNT(*) AS n FROM (SELECT 1 FROM `outbox` WHERE `limit_key` = ? AND `created_at` > ? ' +
  `AND \`automatic\` = 1 AND \`status\` IN ('queued', 'sent') LIMIT ${AUTO_LIMIT.count}) capped`;

export interface RowDeps {
  log: Logger;
  /** Whether automatic mail may go to an address (ALLOWED_REQUESTER_DOMAINS); others are kept as suppressed. */
  automaticAllowed?: (address: string) => boolean;
}

/**
 * The row a queued mail becomes: suppressed when automatic mail may not go there, or when the address had its
 * share of automatic mail in the window (`recent` counts, at most to the cap and one).
 */
export async function outboxRow(
  deps: RowDeps,
  mail: QueuedMail,
  now: Date,
  recent: (limitKey: string, since: Date) => Promise<number>,
) {
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
    if (overAutoLimit(await recent(limitKey, autoWindowStart(now)))) {
      status = 'suppressed';
      lastError = `more than ${AUTO_LIMIT.count} automatic mails to this address in 3 hours`;
      deps.log.warn(
        { to: mail.to, ticketId: mail.ticketId, kind: mail.kind },
        'automatic mail suppressed by the per-sender limit',
      );
    }
  }
  return {
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
  };
}
