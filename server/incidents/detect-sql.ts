/**
 * Detection for the ticket service's fast create path (tickets/fast-create.ts), through its own SQL
 * (db/fast-sql.ts) inside its transaction: the same reads, locks and rules as detect.ts. It only tells the common
 * case (nothing to do: the ticket's signal is recorded) from the rare one (the ticket joins or opens an incident),
 * which the create path hands to the full path in detect.ts and incident-ops.ts.
 */
import type { FastSql, Sql } from '../db/fast-sql.js';
import type { DetectConfig } from './detect.js';
import { joinScore, personal, samePair, type IssueTraits, type Signal, type Target } from './match.js';
import type { Profile } from './models.js';

const PRUNE_EVERY_MS = 60_000;

export function createFastDetection(d: { traits: IssueTraits; config: DetectConfig; clock: () => Date }) {
  const windowMs = d.config.windowMinutes * 60_000;
  const pruned = new Map<string, number>();
  const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? JSON.parse(v) : ((v as T) ?? fallback));

  return {
    enabled: d.config.minTickets > 0,

    /**
     * 'none' when the ticket neither joins an open incident nor makes one with the window's alike tickets (the
     * category's claim, on MySQL, is then held until the transaction ends, as in detect.ts); 'incident' otherwise.
     */
    async detect(q: Sql, fast: Pick<FastSql, 'date' | 'parseDate'>, s: Signal): Promise<'none' | 'incident'> {
      if (d.config.minTickets <= 0) return 'none';
      const mysql = q.dialect === 'mysql';
      const lock = mysql ? ' FOR UPDATE' : '';
      if (mysql) await q.all('SELECT `name` FROM `incident_claims` WHERE `name` = ? FOR UPDATE', [s.category]);
      const open = await q.all<Record<string, unknown>>(
        'SELECT `category`, `dev_center`, `scope`, `issue`, `profile` FROM `incidents` ' +
          `WHERE \`status\` = 'open' AND \`category\` = ?${lock}`,
        [s.category],
      );
      for (const i of open) {
        const target: Target = {
          category: String(i.category),
          devCenter: (i.dev_center as string | null) ?? null,
          scope: i.scope === 'global' ? 'global' : 'centre',
          issue: (i.issue as string | null) ?? null,
          profile: json<Profile>(i.profile, { n: 0, terms: {} }),
        };
        if (joinScore(s, target, d.traits) > 0) return 'incident';
      }
      if (personal(s, d.traits)) return 'none';
      const since = fast.date(new Date(d.clock().getTime() - windowMs));
      const recent = await q.all<Record<string, unknown>>(
        'SELECT `ticket_id`, `requester_key`, `category`, `dev_center`, `issue`, `issue_z`, `runner`, `runner_z`, ' +
          '`terms`, `created_at` FROM `incident_signals` WHERE `category` = ? AND `created_at` >= ? ' +
          `AND \`incident_id\` IS NULL AND \`ticket_id\` <> ?${lock}`,
        [s.category, since, s.ticketId],
      );
      const people = new Set([s.requesterKey]);
      for (const r of recent) {
        const o: Signal = {
          ticketId: Number(r.ticket_id),
          requesterKey: String(r.requester_key),
          category: String(r.category),
          devCenter: (r.dev_center as string | null) ?? null,
          issue: (r.issue as string | null) ?? null,
          issueZ: r.issue_z == null ? null : Number(r.issue_z),
          runner: (r.runner as string | null) ?? null,
          runnerZ: r.runner_z == null ? null : Number(r.runner_z),
          terms: json(r.terms, {}),
          createdAt: fast.parseDate(r.created_at),
        };
        if (samePair(s, o, d.traits)) people.add(o.requesterKey);
      }
      return people.size < d.config.minTickets ? 'none' : 'incident';
    },

    /** Keeps the ticket's signal for the next arrivals (no incident), pruning the category's old ones now and then. */
    async record(q: Sql, fast: Pick<FastSql, 'date'>, s: Signal) {
      if (d.config.minTickets <= 0) return;
      const now = d.clock().getTime();
      if (now - (pruned.get(s.category) ?? 0) >= PRUNE_EVERY_MS) {
        pruned.set(s.category, now);
        await q.run('DELETE FROM `incident_signals` WHERE `category` = ? AND `created_at` < ?', [
          s.category,
          fast.date(new Date(now - windowMs)),
        ]);
      }
      const ignore = q.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
      await q.run(
        `${ignore} INTO \`incident_signals\` (\`ticket_id\`, \`category\`, \`dev_center\`, \`requester_key\`, ` +
          '`issue`, `issue_z`, `runner`, `runner_z`, `terms`, `incident_id`, `created_at`) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)',
        [
          s.ticketId,
          s.category,
          s.devCenter,
          s.requesterKey,
          s.issue,
          s.issueZ,
          s.runner,
          s.runnerZ,
          JSON.stringify(s.terms),
          fast.date(s.createdAt),
        ],
      );
    },
  };
}

export type FastDetection = ReturnType<typeof createFastDetection>;
