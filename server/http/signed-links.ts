/** Signed, expiring tokens for one-click links in emails (close, comment, feedback) and requester access. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

export interface LinkClaims {
  /** ticket id */
  t: number;
  /** action: view | close | comment | feedback | reopen | requester (widget token, scoped to an email) */
  a: string;
  /** requester email for requester-scoped tokens */
  e?: string;
  /** ticket ids a requester token may see (the tickets created from one browser) */
  ids?: number[];
  /** the nonce of the email a ticket link was sent in (links of one email are told apart from scanners' fetches) */
  m?: string;
  /** expiry, seconds since epoch */
  x: number;
}

const b64 = (b: Buffer) => b.toString('base64url');

/** Creates a signer bound to APP_SECRET; tokens are `payload.signature` in base64url. */
export function createLinkSigner(secret: string, now: () => Date = () => new Date()) {
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest().subarray(0, 18);
  return {
    /** Signs claims valid for `ttlDays`. */
    sign(claims: Omit<LinkClaims, 'x'>, ttlDays = 30): string {
      const full: LinkClaims = { ...claims, x: Math.floor(now().getTime() / 1000) + Math.round(ttlDays * 86400) };
      const payload = b64(Buffer.from(JSON.stringify(full)));
      return `${payload}.${b64(mac(payload))}`;
    },
    /** Verifies a token; throws link_invalid or link_expired. */
    verify(token: string, action?: string): LinkClaims {
      // Exactly two parts: anything after a second dot would be carried along unverified.
      const parts = String(token).split('.');
      const [payload, sig] = parts;
      if (parts.length !== 2 || !payload || !sig) throw new AppError('link_invalid');
      // Compare the canonical encoding: base64url decoding is lenient, so "sig" plus a stray character would
      // otherwise decode to the same bytes and pass.
      const expected = Buffer.from(b64(mac(payload)));
      const given = Buffer.from(sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AppError('link_invalid');
      let claims: LinkClaims;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch (cause) {
        throw new AppError('link_invalid', undefined, { cause });
      }
      if (action && claims.a !== action) throw new AppError('link_invalid');
      if (claims.x * 1000 < now().getTime()) throw new AppError('link_expired');
      return claims;
    },
    /** A short keyed hash, e.g. to authenticate ticket ids inside Message-IDs and reply addresses. */
    tag(value: string, length = 10): string {
      return createHmac('sha256', secret)
        .update(value)
        .digest('base64url')
        .replace(/[-_]/g, '')
        .slice(0, length)
        .toLowerCase();
    },
  };
}

export type LinkSigner = ReturnType<typeof createLinkSigner>;
