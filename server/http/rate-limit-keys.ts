/**
 * How a rate limit names what it counts, apart from the store's SQL (rate-limits.ts): a bucket per limit and
 * hashed key (the table holds no addresses), and fixed windows aligned to the epoch, so every process counts a
 * request into the same row.
 */
import { createHash } from 'node:crypto';

/** The stored bucket: the limit's name (at most 30 characters) and a SHA-256 of the key, 32 base64url characters. */
export const bucketKey = (name: string, key: string) =>
  `${name.slice(0, 30)}:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;

/** The start of the fixed window that holds `nowMs`. */
export const windowStart = (nowMs: number, windowMs: number) => nowMs - (nowMs % windowMs);
