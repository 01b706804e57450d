/** The outbox's limits: the per-address cap on automatic mail, the backoff schedule, the dead-letter, batch stops. */
import { describe, expect, it } from 'vitest';
import {
  AUTO_LIMIT,
  BACKOFF,
  MAX_ATTEMPTS,
  afterFailure,
  autoWindowStart,
  backoffMs,
  overAutoLimit,
  stopsBatch,
} from './outbox-rules.js';

const now = new Date('2026-03-01T12:00:00Z');
const H = 3600_000;

describe('the per-address cap on automatic mail', () => {
  it('allows ten automatic mails to one address in three hours, not an eleventh', () => {
    expect(AUTO_LIMIT).toEqual({ count: 10, windowMs: 3 * H });
    expect(overAutoLimit(0)).toBe(false);
    expect(overAutoLimit(9)).toBe(false);
    expect(overAutoLimit(10)).toBe(true);
    expect(overAutoLimit(11)).toBe(true);
  });

  it('counts the mails of the last three hours', () => {
    expect(autoWindowStart(now)).toEqual(new Date('2026-03-01T09:00:00Z'));
  });
});

describe('retries', () => {
  it('waits 5 s after the first failure, doubling each time, never more than an hour', () => {
    expect(BACKOFF).toEqual({ firstMs: 5_000, maxMs: H });
    expect([1, 2, 3, 4, 5].map(backoffMs)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000]);
    expect(backoffMs(10)).toBe(5_000 * 512);
    expect(backoffMs(11)).toBe(H); // 5 s × 1024 is more than an hour
    expect(backoffMs(MAX_ATTEMPTS)).toBe(H);
  });

  it('counts the attempt and schedules the next one by the backoff', () => {
    expect(afterFailure(0, now)).toEqual({ attempts: 1, dead: false, nextAttemptAt: new Date(now.getTime() + 5_000) });
    expect(afterFailure(3, now)).toEqual({ attempts: 4, dead: false, nextAttemptAt: new Date(now.getTime() + 40_000) });
  });

  it('gives a mail up (dead) at its twentieth failed attempt, not before', () => {
    expect(MAX_ATTEMPTS).toBe(20);
    expect(afterFailure(18, now)).toMatchObject({ attempts: 19, dead: false });
    expect(afterFailure(19, now)).toMatchObject({ attempts: 20, dead: true });
    expect(afterFailure(25, now)).toMatchObject({ attempts: 26, dead: true });
  });
});

describe('which send errors stop the batch', () => {
  it('stops on a server that is down, unreachable or refuses sign-in or TLS', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNECTION',
      'ETIMEDOUT',
      'ECONNRESET',
      'EHOSTUNREACH',
      'ESOCKET',
      'EAUTH',
      'ETLS',
    ])
      expect(stopsBatch(Object.assign(new Error('send failed'), { code })), code).toBe(true);
    // Without a code, the message tells.
    expect(stopsBatch(new Error('connect ECONNREFUSED 127.0.0.1:25'))).toBe(true);
  });

  it('goes on after an error of one mail (a refused recipient, a message too big)', () => {
    expect(stopsBatch(Object.assign(new Error('550 no such user'), { code: 'EENVELOPE' }))).toBe(false);
    expect(stopsBatch(new Error('552 message too big'))).toBe(false);
    // The code decides when there is one, even if the message mentions a connection error.
    expect(stopsBatch(Object.assign(new Error('after ECONNRESET'), { code: 'EMESSAGE' }))).toBe(false);
    expect(stopsBatch(null)).toBe(false);
    expect(stopsBatch('boom')).toBe(false);
  });
});
