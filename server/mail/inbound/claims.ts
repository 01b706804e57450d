/**
 * Claims on stored emails: a row is worked on by one worker at a time (live intake, the recovery job, another
 * process), and every claim counts an attempt before the work starts, so a message that kills the process is
 * quarantined after MAX_ATTEMPTS tries instead of crash-looping the server (a liveness probe restarting it makes
 * that a loop). A claim lasts claimMs and is renewed while the work goes on; a dead worker's claim just expires.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type InferAttributes, Op, type WhereOptions } from 'sequelize';
import type { InboundEmail, Models } from '../../db/models.js';
import { transaction } from '../../db/tx.js';

/**
 * Attempts before a stored email is quarantined. Three: a database hiccup or a restart in the middle is retried,
 * a message that crashes the process or fails every time is set aside after a few minutes at most.
 */
export const MAX_ATTEMPTS = 3;

export interface ClaimDeps {
  models: Pick<Models, 'InboundEmail'>;
  /** How long a claim holds without renewal: a crashed worker's rows are free again after this. */
  claimMs: number;
  clock: () => Date;
}

export function createClaims(deps: ClaimDeps) {
  const { InboundEmail } = deps.models;
  const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`.slice(0, 100);
  const until = () => new Date(deps.clock().getTime() + deps.claimMs);
  const free = (now: Date): WhereOptions<InboundEmail> => ({
    status: 'received',
    [Op.or]: [{ claimedUntil: null }, { claimedUntil: { [Op.lt]: now } }],
  });

  /**
   * Writes to a stored row in a transaction of its own. SQLite rewrites the whole row on UPDATE, 25 MB of raw
   * message included (~300 ms): on the shared connection every read behind it (/healthz, the console) would wait;
   * a transaction has its own connection, and WAL lets readers run beside it.
   */
  const write = (fields: Partial<InferAttributes<InboundEmail>>, where: WhereOptions<InboundEmail>) =>
    transaction(InboundEmail.sequelize!, (t) => InboundEmail.update(fields, { where, transaction: t }));

  return {
    holder,
    /** row.update(fields) in a transaction of its own (see write). */
    async update(row: InboundEmail, fields: Partial<InferAttributes<InboundEmail>>): Promise<void> {
      await write(fields, { id: row.id });
      // Mirror the write on the instance without marking it dirty (a later save must not write it again).
      row.set(fields, { raw: true });
      for (const key of Object.keys(fields)) row.changed(key as keyof InferAttributes<InboundEmail>, false);
    },
    /** Fields of a row stored by us: born claimed, its first attempt counted. */
    fresh: () => ({ claimedBy: holder, claimedUntil: until(), attempts: 1 }),
    /** Rows nobody holds, for the recovery job. */
    free,
    /** Claims row `id` if it is still 'received' and unclaimed (or its claim expired); counts the attempt. */
    async claim(id: number): Promise<boolean> {
      const [n] = await write(
        {
          claimedBy: holder,
          claimedUntil: until(),
          attempts: InboundEmail.sequelize!.literal('attempts + 1') as unknown as number,
        },
        { id, ...free(deps.clock()) },
      );
      return n === 1;
    },
    /** Renews our claim on `id` every third of claimMs until the returned stop() is called. */
    keepAlive(id: number): () => void {
      const t = setInterval(
        () => {
          void write({ claimedUntil: until() }, { id, claimedBy: holder, status: 'received' }).catch(
            () => undefined, // a missed renewal only shortens the claim
          );
        },
        Math.max(250, deps.claimMs / 3),
      );
      t.unref();
      return () => clearInterval(t);
    },
    /**
     * keepAlive for a stored batch, in one UPDATE per renewal: rows born claimed wait their turn while the others
     * are worked on, and a claim that lapsed meanwhile would let the recovery job take a row we are about to work.
     */
    keepAliveMany(ids: number[]): () => void {
      if (!ids.length) return () => undefined;
      const t = setInterval(
        () => {
          void write({ claimedUntil: until() }, { id: ids, claimedBy: holder, status: 'received' }).catch(
            () => undefined,
          );
        },
        Math.max(250, deps.claimMs / 3),
      );
      t.unref();
      return () => clearInterval(t);
    },
    /** Gives up our claims on rows not worked on (a stop in the middle of a batch): free for the next pass at once. */
    async release(ids: number[]): Promise<void> {
      if (ids.length) await write({ claimedBy: null, claimedUntil: null }, { id: ids, claimedBy: holder });
    },
  };
}

export type Claims = ReturnType<typeof createClaims>;
