/**
 * Our outgoing Message-IDs and reply addresses encode the ticket with an HMAC tag, so a reply threads by
 * In-Reply-To/References (or the plus-addressed Reply-To) without trusting anything the sender could forge.
 */
import { randomBytes } from 'node:crypto';
import type { LinkSigner } from '../../http/signed-links.js';

export function createMailIds(signer: LinkSigner, fromAddress: string) {
  const [local, domain] = splitAddress(fromAddress);
  const messageIdFor = (ticketId: number, nonce: string) =>
    `hd.t${ticketId}.${nonce}.${signer.tag(`mid:${ticketId}:${nonce}`)}@${domain}`;
  return {
    domain,
    /** `<hd.t42.r8k2….tag@domain>` without brackets. */
    messageId(ticketId: number | null): string {
      const nonce = randomBytes(6).toString('hex');
      if (ticketId == null) return `hd.n.${nonce}@${domain}`;
      return messageIdFor(ticketId, nonce);
    },
    /** The per-mail nonce of one of our Message-IDs (signed into that mail's links), or null. */
    nonceOf(id: string): string | null {
      return /^hd\.t\d+\.([0-9a-f]+)\./.exec(id)?.[1] ?? null;
    },
    /** Our Message-ID for a ticket and nonce: which mail a link came from. */
    messageIdFor,
    /** The ticket id encoded in one of our Message-IDs, or null if it is not ours or the tag is wrong. */
    ticketFromMessageId(id: string | null | undefined): number | null {
      const m = /^<?hd\.t(\d+)\.([0-9a-f]+)\.([a-z0-9]+)@/i.exec(id ?? '');
      if (!m) return null;
      return signer.tag(`mid:${m[1]}:${m[2]}`) === m[3]!.toLowerCase() ? Number(m[1]) : null;
    },
    /** Reply-To address carrying a token: `it+t42-tag@domain`. */
    replyAddress(ticketId: number): string {
      return `${local}+t${ticketId}-${signer.tag(`reply:${ticketId}`, 8)}@${domain}`;
    },
    /** The ticket id in a plus-addressed recipient, or null. */
    ticketFromAddress(addr: string): number | null {
      const m = /^[^+@]+\+t(\d+)-([a-z0-9]+)@/i.exec(addr);
      if (!m) return null;
      return signer.tag(`reply:${m[1]}`, 8) === m[2]!.toLowerCase() ? Number(m[1]) : null;
    },
  };
}

export type MailIds = ReturnType<typeof createMailIds>;

/** Splits `Name <local@domain>` or `local@domain`. */
export function splitAddress(from: string): [string, string] {
  const addr = /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
  const at = addr.lastIndexOf('@');
  return at > 0 ? [addr.slice(0, at), addr.slice(at + 1)] : [addr, 'helpdesk.localhost'];
}
