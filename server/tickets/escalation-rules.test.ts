/** Escalation's rules: overdue after the configured hours, who takes the ticket, and who is told (the managers). */
import { describe, expect, it } from 'vitest';
import {
  escalationHolder,
  escalationNotices,
  escalationPatch,
  overdueBefore,
  type EscalationCandidate,
} from './escalation-rules.js';

const SW = 'Software / Applications';
const now = new Date('2026-03-02T12:00:00Z');
const person = (id: number, openTickets: number, o: Partial<EscalationCandidate> = {}): EscalationCandidate => ({
  id,
  name: `agent ${id}`,
  kind: 'human',
  skills: [SW],
  openTickets,
  ...o,
});

describe('escalation', () => {
  it('is due for tickets created more than the configured hours ago (24 by default)', () => {
    expect(overdueBefore(now, 24)).toEqual(new Date('2026-03-01T12:00:00Z'));
    expect(overdueBefore(now, 0.5)).toEqual(new Date('2026-03-02T11:30:00Z'));
  });

  it('leaves a ticket with the person who holds it', () => {
    const ann = person(2, 9);
    const roster = [person(1, 0), ann];
    expect(escalationHolder({ assigneeId: 2, category: SW }, roster)).toBe(ann);
    expect(ann.openTickets).toBe(9); // not counted twice
  });

  it('moves an AI or pool ticket to the least-loaded member with the skill, who counts it at once', () => {
    const ai = person(1, 0, { kind: 'ai' });
    const ann = person(2, 3);
    const bob = person(3, 2);
    const carl = person(4, 2);
    const roster = [ai, ann, carl, bob];
    expect(escalationHolder({ assigneeId: 1, category: SW }, roster)).toBe(bob);
    expect(bob.openTickets).toBe(3);
    expect(escalationHolder({ assigneeId: null, category: SW }, roster)).toBe(carl);
    expect(carl.openTickets).toBe(3);
    // Ann, Bob and Carl now hold three each: the lowest id.
    expect(escalationHolder({ assigneeId: null, category: SW }, roster)).toBe(ann);
    // An assignee no longer on the roster (switched off) is replaced too.
    expect(escalationHolder({ assigneeId: 77, category: SW }, [person(5, 0)])?.id).toBe(5);
  });

  it('finds nobody when no human has the skill', () => {
    const roster = [person(1, 0, { kind: 'ai' }), person(2, 0, { skills: ['Network'] })];
    expect(escalationHolder({ assigneeId: null, category: SW }, roster)).toBeNull();
    expect(escalationHolder({ assigneeId: 1, category: SW }, roster)).toBeNull();
  });

  it('flags the ticket, held by the IT team member or waiting in the pool', () => {
    expect(escalationPatch({ id: 3 }, now)).toEqual({
      escalated: true,
      escalatedAt: now,
      route: 'it_team',
      assigneeId: 3,
    });
    expect(escalationPatch(null, now)).toEqual({ escalated: true, escalatedAt: now, route: 'pool', assigneeId: null });
  });

  it('tells the holder, or every manager when nobody fits', () => {
    const bob = { name: 'Bob' };
    const m1 = { name: 'Mia' };
    const m2 = { name: 'Max' };
    expect(escalationNotices(bob, [m1, m2])).toEqual([{ to: bob, whereNow: 'It is now assigned to you (Bob).' }]);
    const why = 'Nobody with this skill is available: it waits in the pool, flagged as escalated.';
    expect(escalationNotices(null, [m1, m2])).toEqual([
      { to: m1, whereNow: why },
      { to: m2, whereNow: why },
    ]);
    expect(escalationNotices(null, [])).toEqual([]);
  });
});
