/**
 * The outbox's rules as plain decisions, so they are tested (and mutation-tested) without a database or an SMTP
 * server; outbox.ts does the I/O around them: the per-address cap on automatic mail, the backoff between attempts,
 * the dead-letter after too many, and which errors stop a batch.
 */

/** At most this many automatic mails to one address per window: a loop with another robot stops here. */
export const AUTO_LIMIT = { count: 10, windowMs: 3 * 3600_000 };
/** A mail that failed this many times is given up ('dead'); an admin can still retry it. */
export const MAX_ATTEMPTS = 20;
/** The first retry waits this long; each next one twice as long, up to the cap. */
export const BACKOFF = { firstMs: 5_000, maxMs: 3600_000 };

/** The wait after the `attempts`-th failed attempt: 5 s, 10 s, 20 s… at most an hour. */
export const backoffMs = (attempts: number) => Math.min(BACKOFF.firstMs * 2 ** (attempts - 1), BACKOFF.maxMs);

/** Automatic mails created after this instant count toward the cap. */
export const autoWindowStart = (now: Date) => new Date(now.getTime() - AUTO_LIMIT.windowMs);

/** Whether another automatic mail is over the cap, given how many (queued or sent) are already in the window. */
export const overAutoLimit = (recent: number) => recent >= AUTO_LIMIT.count;

/** After a failed send: the attempts so far, whether the mail is now given up, and when to try it next. */
export function afterFailure(previousAttempts: number, now: Date) {
  const attempts = previousAttempts + 1;
  return {
    attempts,
    dead: attempts >= MAX_ATTEMPTS,
    nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)),
  };
}

/**
 * Whether a send error means every further send of the batch fails the same way (the server is down, or refuses
 * our sign-in or TLS): then the batch stops and is retried later.
 */
export function stopsBatch(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return /ECONNREFUSED|ECONNECTION|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ESOCKET|EAUTH|ETLS/.test(
    String(e?.code ?? e?.message),
  );
}
