/**
 * Rate limits kept in the database, so they hold across server processes and restarts (an in-memory window reset
 * on every deploy and counted per process). hono-rate-limiter does the middleware part (headers, Retry-After, the
 * handler); the store here keeps one row per key and fixed window and bumps it with a single atomic upsert, cheap
 * enough for every widget POST. Keys are hashed: the table holds no addresses.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter, type Store } from 'hono-rate-limiter';
import { QueryTypes, type Sequelize } from 'sequelize';
import { errorBody } from '../errors.js';
import type { Logger } from '../log.js';
import type { ClientIp } from './client-ip.js';
import { transaction } from '../db/tx.js';
import { bucketKey as keyHash, windowStart } from './rate-limit-keys.js';

const SWEEP_EVERY_MS = 10 * 60_000;

/** A hono-rate-limiter Store over the rate_limits table (migrations/0011-rate-limits.ts); owned by this module. */
export function createDbStore(d: { sequelize: Sequelize; clock: () => Date; name: string; log?: Logger }): Store {
  const mysql = d.sequelize.getDialect() !== 'sqlite';
  let windowMs = 60_000;
  let sweptAt = 0;
  const windowOf = () => windowStart(d.clock().getTime(), windowMs);
  // On MySQL LAST_INSERT_ID(expr) hands the new count back from the same statement (0 for a fresh row). On SQLite
  // RETURNING does; the leading comment keeps Sequelize from running it as a row-less INSERT.
  const UPSERT_MYSQL =
    'INSERT INTO rate_limits (bucket, window_start, hits, expires_at) VALUES (:k, :w, 1, :e) ' +
    'ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)';
  const UPSERT_SQLITE =
    '/* rate limit */ INSERT INTO rate_limits (bucket, window_start, hits, expires_at) VALUES (:k, :w, 1, :e) ' +
    'ON CONFLICT (bucket, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits';

  async function bump(k: string, w: number): Promise<number> {
    const replacements = { k, w, e: w + windowMs };
    if (mysql) {
      const [id] = (await d.sequelize.query(UPSERT_MYSQL, { type: QueryTypes.INSERT, replacements })) as [
        number,
        number,
      ];
      return Number(id) || 1;
    }
    // Inside a managed transaction: database.ts queues those in the event loop, so the write never waits on the
    // SQLite lock inside one of libuv's few threads.
    const rows = await transaction(d.sequelize, (transaction) =>
      d.sequelize.query<{ hits: number }>(UPSERT_SQLITE, { type: QueryTypes.SELECT, replacements, transaction }),
    );
    return Number(rows[0]?.hits ?? 1);
  }

  function sweep() {
    const now = d.clock().getTime();
    if (now - sweptAt < SWEEP_EVERY_MS) return;
    sweptAt = now;
    d.sequelize
      .query('DELETE FROM rate_limits WHERE expires_at < :now', { replacements: { now } })
      .catch((err) => d.log?.warn({ err: (err as Error).message }, 'rate limit sweep failed'));
  }

  return {
    init(options) {
      windowMs = options.windowMs;
    },
    prefix: `${d.name}:`,
    localKeys: false,
    async increment(key) {
      const w = windowOf();
      const totalHits = await bump(keyHash(d.name, key), w);
      sweep();
      return { totalHits, resetTime: new Date(w + windowMs) };
    },
    async decrement(key) {
      await d.sequelize.query(
        'UPDATE rate_limits SET hits = hits - 1 WHERE bucket = :k AND window_start = :w AND hits > 0',
        { replacements: { k: keyHash(d.name, key), w: windowOf() } },
      );
    },
    async resetKey(key) {
      await d.sequelize.query('DELETE FROM rate_limits WHERE bucket = :k', {
        replacements: { k: keyHash(d.name, key) },
      });
    },
  };
}

export interface LimitOptions {
  /** Names the counter (part of the stored key); one name per limit. */
  name: string;
  limit: number;
  windowMs: number;
  /** What is counted: a key per client, or null to let the request through uncounted. */
  key: (c: Context) => string | null | Promise<string | null>;
  /** The 429 answer's message. */
  message: string;
  /** Draft-6 RateLimit-* headers on the answer. */
  headers?: boolean;
  onLimited?: (c: Context) => void;
}

/** The limits of one helpdesk: a database-backed store per limit, the client-IP rule shared by all. */
export function createRateLimits(d: { sequelize: Sequelize; clock: () => Date; clientIp: ClientIp; log?: Logger }) {
  return {
    clientIp: d.clientIp,
    /** Middleware: at most `limit` requests per `windowMs` per key; 429 rate_limited beyond. */
    limit(o: LimitOptions): MiddlewareHandler {
      if (o.limit <= 0) return (_c, next) => next();
      const keys = new WeakMap<Context, string | null>();
      const keyOf = async (c: Context) => {
        if (!keys.has(c)) keys.set(c, await o.key(c));
        return keys.get(c)!;
      };
      return rateLimiter({
        windowMs: o.windowMs,
        limit: o.limit,
        standardHeaders: o.headers ? 'draft-6' : false,
        store: createDbStore({ sequelize: d.sequelize, clock: d.clock, name: o.name, log: d.log }),
        skip: async (c) => (await keyOf(c)) === null,
        keyGenerator: async (c) => (await keyOf(c))!,
        handler: (c) => {
          o.onLimited?.(c);
          return c.json(errorBody('rate_limited', o.message), 429);
        },
      });
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
