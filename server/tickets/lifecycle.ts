/**
 * The ticket state machine, as a table.
 *
 *   new ──triaged──▶ open ──agent/ai reply──▶ waiting_on_user ──requester reply──▶ open
 *                      │                           │
 *                      └───────resolve─────────────┴──▶ resolved ──close──▶ closed
 *   resolved|closed ──reopen──▶ open        (escalated and reopened are events, not states)
 *
 * "open" covers the three ways a ticket is held: assigned to an IT team member, waiting in the pool, or
 * answered by the AI agent (route + assignee say which).
 */
import { STATUSES, type Status } from '../domain/vocabulary.js';
import { AppError } from '../errors.js';

export type LifecycleEvent =
  | 'triage'
  | 'assign'
  | 'ai_answer'
  | 'agent_reply'
  | 'requester_reply'
  | 'note'
  | 'resolve'
  | 'close'
  | 'reopen'
  | 'escalate'
  | 'feedback';

/** For each event: the statuses it may start from, and the status it leads to (null: unchanged). */
export const TRANSITIONS: Record<LifecycleEvent, { from: readonly Status[]; to: Status | null }> = {
  triage: { from: ['new'], to: 'open' },
  assign: { from: ['new', 'open', 'waiting_on_user'], to: 'open' },
  ai_answer: { from: ['new', 'open'], to: 'waiting_on_user' },
  agent_reply: { from: ['new', 'open', 'waiting_on_user'], to: 'waiting_on_user' },
  requester_reply: { from: ['new', 'open', 'waiting_on_user'], to: 'open' },
  note: { from: STATUSES, to: null },
  resolve: { from: ['new', 'open', 'waiting_on_user'], to: 'resolved' },
  close: { from: ['new', 'open', 'waiting_on_user', 'resolved'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'open' },
  escalate: { from: ['new', 'open', 'waiting_on_user'], to: null },
  feedback: { from: STATUSES, to: null },
};

/** The status after `event`, or an invalid_transition error naming what is allowed. */
export function nextStatus(current: string, event: LifecycleEvent): Status {
  const t = TRANSITIONS[event];
  if (!t.from.includes(current as Status)) {
    throw new AppError(
      'invalid_transition',
      `Cannot ${event.replace('_', ' ')} a ticket that is ${current.replace(/_/g, ' ')}.`,
    );
  }
  return t.to ?? (current as Status);
}
