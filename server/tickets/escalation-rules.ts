/**
 * Escalation's decisions, apart from the sweep's I/O (escalation.ts): which tickets are overdue, who takes one, and
 * who is told. Plain functions, so the 24-hour rule and the manager notice are unit- and mutation-tested.
 */

/** The fields of a roster member the decision needs. */
export interface EscalationCandidate {
  id: number;
  name: string;
  kind: 'ai' | 'human';
  skills: readonly string[];
  openTickets: number;
}

/** Tickets created before this instant and still open are overdue. */
export const overdueBefore = (now: Date, hours: number) => new Date(now.getTime() - hours * 3600_000);

/**
 * Who holds an escalated ticket: the person it is assigned to; else (AI agent, pool) the human with the category's
 * skill who has the fewest open tickets (ties: lowest id); else nobody. The one chosen counts the ticket at once, so
 * the next ticket of the same sweep goes to whoever is then least loaded.
 */
export function escalationHolder<A extends EscalationCandidate>(
  ticket: { assigneeId: number | null; category: string },
  roster: A[],
): A | null {
  const current = ticket.assigneeId ? (roster.find((a) => a.id === ticket.assigneeId) ?? null) : null;
  if (current?.kind === 'human') return current;
  const next =
    roster
      .filter((a) => a.kind === 'human' && a.skills.includes(ticket.category))
      .sort((a, b) => a.openTickets - b.openTickets || a.id - b.id)[0] ?? null;
  if (next) next.openTickets++;
  return next;
}

/** The ticket's change: escalated, now held by the IT team member, or waiting in the pool when nobody fits. */
export const escalationPatch = (holder: { id: number } | null, now: Date) =>
  ({
    escalated: true,
    escalatedAt: now,
    route: holder ? 'it_team' : 'pool',
    assigneeId: holder?.id ?? null,
  }) as const;

/** Who is emailed and what the mail says: the holder, or (nobody fits) every manager. */
export function escalationNotices<P extends { name: string }>(holder: P | null, managers: readonly P[]) {
  if (holder) return [{ to: holder, whereNow: `It is now assigned to you (${holder.name}).` }];
  const whereNow = 'Nobody with this skill is available: it waits in the pool, flagged as escalated.';
  return managers.map((to) => ({ to, whereNow }));
}
