/**
 * Leases: work that must run once across server processes (IMAP reader, outbox sender, escalation sweep) takes a
 * row with an expiry. The holder renews it; when a holder dies, another takes over after the expiry.
 * Unique primary keys, not timing, decide the winner.
 */
import { Op, UniqueConstraintError } from 'sequelize';
import type { Models } from './models.js';

export function createLeases(deps: { models: Models; holder: string; clock: () => Date }) {
  const { Lease } = deps.models;
  return {
    holder: deps.holder,
    /** Takes or renews `name` for ttlMs; true when this process holds it afterwards. */
    async acquire(name: string, ttlMs: number): Promise<boolean> {
      const now = deps.clock();
      const expiresAt = new Date(now.getTime() + ttlMs);
      const [n] = await Lease.update(
        { holder: deps.holder, expiresAt },
        { where: { name, [Op.or]: [{ holder: deps.holder }, { expiresAt: { [Op.lt]: now } }] } },
      );
      if (n > 0) return true;
      try {
        await Lease.create({ name, holder: deps.holder, expiresAt });
        return true;
      } catch (err) {
        if (err instanceof UniqueConstraintError) return false;
        throw err;
      }
    },
    /** Gives a lease up (graceful shutdown), so another process need not wait for the expiry. */
    async release(name: string) {
      await Lease.destroy({ where: { name, holder: deps.holder } });
    },
  };
}

export type Leases = ReturnType<typeof createLeases>;
