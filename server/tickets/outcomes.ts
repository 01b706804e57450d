/**
 * What the AI contributed to a ticket at triage (the answer plan recorded on `triage.answer`), and crediting its
 * entry when the requester says how it went (issue 13, item 5): a confirmation ("this solved it", a closing reply,
 * closing an AI-answered ticket themselves) counts as solved, "it did not help" (a reply that hands an AI answer to
 * a person) as failed, for the kinds of request the ticket was (its issue, its category). Each ticket credits its
 * entry at most once either way; the audit trail says when and why.
 */
import type { Transaction } from 'sequelize';
import type { Ticket } from '../db/models.js';
import type { Kb } from '../kb/entries.js';
import { type Outcome, outcomeKinds } from '../kb/outcomes.js';
import type { Store } from './store.js';

export interface AiContribution {
  kind: 'answer' | 'suggest';
  entry: { id: number; title: string };
  /** The kinds of request the outcome counts for (kb/outcomes.ts). */
  kinds: string[];
}

/** The AI answer or suggestion recorded on a ticket's triage, or null (nothing was given, or an old record). */
export function aiContribution(triage: Readonly<Record<string, unknown>> | null | undefined): AiContribution | null {
  const a = (triage?.answer ?? null) as {
    kind?: unknown;
    entry?: { id?: unknown; title?: unknown } | null;
    evidence?: { issue?: { name?: unknown } | null; category?: unknown; basis?: unknown } | null;
  } | null;
  if (!a || (a.kind !== 'answer' && a.kind !== 'suggest')) return null;
  const id = Number(a.entry?.id);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const issue =
    a.evidence?.basis === 'issue' && typeof a.evidence.issue?.name === 'string' ? a.evidence.issue.name : null;
  const category = typeof a.evidence?.category === 'string' ? a.evidence.category : null;
  return {
    kind: a.kind,
    entry: { id, title: typeof a.entry?.title === 'string' ? a.entry.title : `#${id}` },
    kinds: outcomeKinds(issue, category),
  };
}

export function createOutcomeCredit(deps: { store: Store; kb: Kb }) {
  const { AuditEvent } = deps.store.models;
  /** Credits the ticket's AI answer or suggestion with `outcome`, once per ticket; false when nothing was credited. */
  return async function credit(t: Transaction, ticket: Ticket, outcome: Outcome, why: string): Promise<boolean> {
    const c = aiContribution(ticket.triage);
    if (!c) return false;
    const prior = await AuditEvent.findAll({
      where: { ticketId: ticket.id, action: 'kb_outcome' },
      attributes: ['data'],
      transaction: t,
    });
    if (prior.some((e) => e.data?.outcome === outcome)) return false;
    if (!(await deps.kb.outcomes.record(t, c.entry.id, c.kinds, outcome))) return false;
    await deps.store.audit(t, ticket.id, 'system', 'kb_outcome', {
      outcome,
      kbEntryId: c.entry.id,
      kinds: c.kinds,
      why,
    });
    return true;
  };
}

export type OutcomeCredit = ReturnType<typeof createOutcomeCredit>;
