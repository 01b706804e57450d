/** The transition table, checked cell by cell: any change to the lifecycle must change this table too. */
import { describe, it, expect } from 'vitest';
import { STATUSES, type Status } from '../domain/vocabulary.js';
import { AppError } from '../errors.js';
import { allowed, nextStatus, TRANSITIONS, type LifecycleEvent } from './lifecycle.js';

const x = null; // not allowed
// Columns: new, open, waiting_on_user, resolved, closed.
const EXPECTED: Record<LifecycleEvent, (Status | null)[]> = {
  triage: ['open', x, x, x, x],
  assign: ['open', 'open', 'open', x, x],
  handover: [x, 'open', 'open', x, x],
  ai_answer: ['waiting_on_user', 'waiting_on_user', x, x, x],
  agent_reply: ['waiting_on_user', 'waiting_on_user', 'waiting_on_user', x, x],
  requester_reply: ['open', 'open', 'open', x, x],
  note: ['new', 'open', 'waiting_on_user', 'resolved', 'closed'],
  resolve: ['resolved', 'resolved', 'resolved', x, x],
  suggestion_solved: [x, 'resolved', 'resolved', x, x],
  close: ['closed', 'closed', 'closed', 'closed', x],
  reopen: [x, x, x, 'open', 'open'],
  escalate: ['new', 'open', 'waiting_on_user', x, x],
  feedback: ['new', 'open', 'waiting_on_user', 'resolved', 'closed'],
  correct: ['new', 'open', 'waiting_on_user', 'resolved', 'closed'],
  join_incident: ['open', 'open', 'open', x, x],
  incident_change: ['new', 'open', 'waiting_on_user', 'resolved', 'closed'],
  incident_update: ['new', 'open', 'waiting_on_user', x, x],
};

describe('ticket lifecycle', () => {
  it('has a row for every event and nothing else', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [event, row] of Object.entries(EXPECTED) as [LifecycleEvent, (Status | null)[]][]) {
    it(`${event}: ${row.map((to, i) => `${STATUSES[i]}→${to ?? '✗'}`).join(', ')}`, () => {
      STATUSES.forEach((from, i) => {
        const to = row[i];
        if (to === null) {
          expect(() => nextStatus(from, event)).toThrow(AppError);
          try {
            nextStatus(from, event);
          } catch (err) {
            expect((err as AppError).code).toBe('invalid_transition');
          }
        } else expect(nextStatus(from, event)).toBe(to);
      });
    });
  }

  it('answers allowed() by the same table, without an error', () => {
    for (const [event, row] of Object.entries(EXPECTED) as [LifecycleEvent, (Status | null)[]][])
      STATUSES.forEach((from, i) => {
        expect(allowed(from, event), `${event} from ${from}`).toBe(row[i] !== null);
      });
  });

  it('says in words what cannot be done', () => {
    expect(() => nextStatus('closed', 'agent_reply')).toThrow('Cannot agent reply a ticket that is closed.');
    expect(() => nextStatus('waiting_on_user', 'triage')).toThrow('Cannot triage a ticket that is waiting on user.');
  });
});
