/**
 * The ticket state machine, as a table. Every status change of a ticket goes through nextStatus(); an event whose
 * table row says `to: null` changes nothing but is still checked against the statuses it may happen in.
 *
 *   new ──triage──▶ open ──ai answer / agent reply──▶ waiting_on_user ──requester reply──▶ open
 *                     │                                      │
 *                     └──────────────resolve─────────────────┴──▶ resolved ──close──▶ closed
 *   open | waiting_on_user ──suggestion solved──▶ resolved   (the acknowledgment's article fixed it)
 *   resolved | closed ──reopen──▶ open        (escalation, feedback, notes are events, not states)
 *   new | open | waiting_on_user ──join_incident──▶ open   (a child of a major incident: incident-ops.ts)
 *
 * "open" covers the three ways a ticket is held: assigned to an IT team member, waiting in the pool, or answered
 * by the AI agent (route and assignee say which).
 */
import { STATUSES, type Status } from '../domain/vocabulary.js';
import { AppError } from '../errors.js';

export type LifecycleEvent =
  | 'triage'
  | 'assign'
  | 'handover'
  | 'ai_answer'
  | 'agent_reply'
  | 'requester_reply'
  | 'note'
  | 'resolve'
  | 'suggestion_solved'
  | 'close'
  | 'reopen'
  | 'escalate'
  | 'feedback'
  | 'correct'
  | 'join_incident'
  | 'incident_change'
  | 'incident_update';

const WORKING: readonly Status[] = ['new', 'open', 'waiting_on_user'];

/** For each event: the statuses it may start from, and the status it leads to (null: unchanged). */
export const TRANSITIONS: Readonly<Record<LifecycleEvent, { from: readonly Status[]; to: Status | null }>> = {
  triage: { from: ['new'], to: 'open' },
  // A person takes the ticket; an untriaged one is theirs as it is (the recovery job skips tickets not 'new').
  assign: { from: WORKING, to: 'open' },
  // The requester says the AI answer did not help: a person takes over.
  handover: { from: ['open', 'waiting_on_user'], to: 'open' },
  ai_answer: { from: ['new', 'open'], to: 'waiting_on_user' },
  agent_reply: { from: WORKING, to: 'waiting_on_user' },
  requester_reply: { from: WORKING, to: 'open' },
  note: { from: STATUSES, to: null },
  resolve: { from: WORKING, to: 'resolved' },
  // The requester confirms the article suggested in the acknowledgment solved it (a person may have it meanwhile).
  suggestion_solved: { from: ['open', 'waiting_on_user'], to: 'resolved' },
  close: { from: [...WORKING, 'resolved'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'open' },
  escalate: { from: WORKING, to: null },
  feedback: { from: STATUSES, to: null },
  correct: { from: STATUSES, to: null },
  // A ticket becomes a child of a major incident: the IT team holds it as part of the incident.
  join_incident: { from: WORKING, to: 'open' },
  // Moved by a merge, unlinked, or left a resolved incident when reopened: the status stays.
  incident_change: { from: STATUSES, to: null },
  // An update on the incident, posted to its working children.
  incident_update: { from: WORKING, to: null },
};

/** The status after `event`, or an invalid_transition error naming what is allowed. */
export function nextStatus(current: Status, event: LifecycleEvent): Status {
  const t = TRANSITIONS[event];
  if (!t.from.includes(current)) {
    throw new AppError(
      'invalid_transition',
      `Cannot ${event.replace('_', ' ')} a ticket that is ${current.replace(/_/g, ' ')}.`,
    );
  }
  return t.to ?? current;
}

/** Whether `event` may happen in `current` (no error). */
export const allowed = (current: Status, event: LifecycleEvent) => TRANSITIONS[event].from.includes(current);
