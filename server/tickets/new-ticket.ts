/** What creating a ticket takes, and what triage makes of it: shared by both create paths (create.ts, fast-create.ts). */
import type { Ticket } from '../db/models.js';
import type { Channel } from '../domain/vocabulary.js';
import type { Logger } from '../log.js';
import type { MailIds } from '../mail/outbound/ids.js';
import type { Notifier } from '../mail/outbound/notify.js';
import type { AnswerPlan } from '../triage/plan.js';
import type { RoutingDecision } from '../triage/routing.js';
import type { Triage } from '../triage/service.js';
import type { Classification } from '../triage/types.js';
import type { IncidentOps } from './incident-ops.js';
import type { Roster, RosterMember } from './roster.js';
import type { EmailMeta, Store } from './store.js';

export interface NewTicket {
  name: string;
  email: string;
  devCenter?: string | null;
  subject?: string | null;
  issue: string;
  channel: Channel;
  /** Email metadata when the ticket comes from a message, and a notice for the sender (e.g. attachments dropped). */
  mail?: EmailMeta & { notice?: string };
  /** A reply to a ticket closed past the reopen window opens a new ticket linked to the old one. */
  parentTicketId?: number | null;
  /**
   * The client's key for this submission (unique on tickets): a second create with it returns the ticket the first
   * one made instead of a new one.
   */
  idempotencyKey?: string | null;
}

export interface CreateDeps {
  store: Store;
  triage: Triage;
  roster: Roster;
  notifier: Notifier;
  ids: MailIds;
  clock: () => Date;
  log: Logger;
  /** Major incidents: the hook after triage (incident-ops.ts). */
  incidents: Pick<IncidentOps, 'afterTriage'>;
}

/** The ticket's columns and the audit event's data that a triage decision makes (both create paths). */
export function triageChange(
  c: Classification,
  d: RoutingDecision,
  agent: RosterMember | null,
  plan: AnswerPlan | undefined,
) {
  return {
    patch: {
      category: c.category,
      severity: c.severity,
      urgency: c.urgency,
      sentiment: c.sentiment,
      intent: c.intent,
      complex: c.complex,
      summary: c.summary.slice(0, 500),
      route: d.route,
      assigneeId: agent?.id ?? null,
      classifier: c.classifier,
      confidence: c.confidence,
      triage: {
        ...c,
        rule: d.rule,
        suggestedAgent: agent?.name ?? c.suggestedAgent,
        // The one article the acknowledgment carries (pool and IT team), as the admin API shows it.
        suggestion: plan?.suggestion ? { id: plan.suggestion.id, title: plan.suggestion.title } : null,
        // Why the AI answered or did not (every check with its value), shown in the console's triage panel.
        answer: plan
          ? {
              kind: plan.kind,
              entry: plan.entry ?? null,
              composer: plan.composer,
              sources: plan.sources,
              reason: plan.reason,
              evidence: plan.evidence,
            }
          : null,
      },
    } satisfies Partial<Ticket>,
    audit: {
      classifier: c.classifier,
      confidence: c.confidence,
      category: c.category,
      severity: c.severity,
      urgency: c.urgency,
      route: d.route,
      rule: d.rule,
      agent: agent?.name ?? null,
    },
  };
}

export const subjectFrom = (issue: string) => {
  const first = issue.trim().split(/\n|(?<=[.!?])\s/)[0] ?? '';
  return (first.length > 80 ? `${first.slice(0, 77).trimEnd()}…` : first) || 'IT request';
};
