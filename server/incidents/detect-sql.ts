/**
 * Detection for the ticket service's fast create path (tickets/fast-create.ts), through its own SQL
 * (db/fast-sql.ts) inside its transaction: the same locks and rules as detect.ts. It only tells the common case
 * (no incident open in the category and none to open: the ticket's signal is recorded) from the rest, which the
 * create path hands to the full path in detect.ts and incident-ops.ts.
 */
import type { FastSql, Sql } from '../db/fast-sql.js';
import type { DetectConfig } from './detect.js';
import { personal, samePair, type IssueTraits, type Signal } from './match.js';

const PRUNE_EVERY_MS = 60_000;

export function createFastDetection(d: { traits: IssueTraits; config: DetectConfig; clock: () => Date }) {
  const windowMs = d.config.windowMinutes * 60_000;
  const pruned = new Map<string, number>();
  const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? JSON.parse(v) : ((v as T) ?? fallback));

  return {
    enabled: d.config.minTickets > 0,

    /**
     * Whether the ticket belongs to the full path (detect.ts) before any transaction: on MySQL an issue many people
     * can share does, whatever the window holds. With both paths deciding under the claim, the two-process test saw
     * one outage's reports split into two incidents (one per wording's issue); only one-person issues stay here.
     */
    fullPathFirst: (dialect: 'sqlite' | 'mysql', s: Signal) =>
      d.config.minTickets > 0 && dialect === 'mysql' && !personal(s, d.traits),

    /**
     * Last in the transaction (the claim is held until it ends: the shorter, the more tickets a second): 'incident'
     * when the window's alike tickets would make one with it (the full path then decides), else 'none'. On MySQL it
     * takes the category's claim first, as detect.ts does. Whether an open incident takes the ticket is asked by
     * record(), in the same statement as the signal's INSERT.
     */
    async check(q: Sql, fast: Pick<FastSql, 'date' | 'parseDate'>, s: Signal): Promise<'none' | 'incident'> {
      if (d.config.minTickets <= 0) return 'none';
      const mysql = q.dialect === 'mysql';
      // On MySQL every ticket takes the category's claim, a one-person issue too: without it, such a ticket could
      // record its signal between an opener's read of the window's signals and its INSERT of the incident (which
      // then waits for this ticket's lock on incidents), and be left out of the incident it belongs to (seen in
      // tests/incidents.multiprocess.test.ts: 23 of 24 linked).
      if (mysql && !personal(s, d.traits)) return 'incident'; // fullPathFirst() sends these away before
      if (mysql) await q.all('SELECT `name` FROM `incident_claims` WHERE `name` = ? FOR UPDATE', [s.category]);
      // A one-person issue never makes an incident; whether an open one takes it is asked by record().
      if (personal(s, d.traits)) return 'none';
      const since = fast.date(new Date(d.clock().getTime() - windowMs));
      const recent = await q.all<Record<string, unknown>>(
        'SELECT `ticket_id`, `requester_key`, `category`, `dev_center`, `issue`, `issue_z`, `runner`, `runner_z`, ' +
          '`terms`, `created_at` FROM `incident_signals` WHERE `category` = ? AND `created_at` >= ? ' +
          `AND \`incident_id\` IS NULL AND \`ticket_id\` <> ?${mysql ? ' FOR UPDATE' : ''}`,
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

    /**
     * Keeps the ticket's signal for the next arrivals, pruning the category's old ones now and then; false (nothing
     * written) when an incident is open in the category.
     */
    async record(q: Sql, fast: Pick<FastSql, 'date'>, s: Signal): Promise<boolean> {
      if (d.config.minTickets <= 0) return true;
      const now = d.clock().getTime();
      if (now - (pruned.get(s.category) ?? 0) >= PRUNE_EVERY_MS) {
        pruned.set(s.category, now);
        await q.run('DELETE FROM `incident_signals` WHERE `category` = ? AND `created_at` < ?', [
          s.category,
          fast.date(new Date(now - windowMs)),
        ]);
      }
      // Only while no incident is open in the category: whether one takes the ticket is the full path's question
      // (joinScore against each), so a ticket in such a category is rolled back and goes there.
      const r = await q.run(
        'INSERT INTO `incident_signals` (`ticket_id`, `category`, `dev_center`, `requester_key`, `issue`, ' +
          '`issue_z`, `runner`, `runner_z`, `terms`, `incident_id`, `created_at`) ' +
          `SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?${q.dialect === 'mysql' ? ' FROM DUAL' : ''} WHERE NOT EXISTS ` +
          "(SELECT 1 FROM `incidents` WHERE `status` = 'open' AND `category` = ?)",
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
          s.category,
        ],
      );
      return r.changes > 0;
    },
  };
}

export type FastDetection = ReturnType<typeof createFastDetection>;
