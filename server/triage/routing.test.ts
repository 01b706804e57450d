/** The routing rule table, rule by rule: who gets a ticket, and the pool whenever the chosen route has nobody. */
import { describe, expect, it } from 'vitest';
import { RULES, aiAgentFor, leastLoadedHuman, route, type RosterAgent } from './routing.js';
import type { Classification } from './types.js';

const SW = 'Software / Applications';
const HW = 'Hardware / Device';
const T = { aiMinConfidence: 0.55 };

const c = (o: Partial<Classification> = {}): Classification => ({
  category: SW,
  severity: 'low',
  urgency: 'low',
  suggestedAgent: null,
  sentiment: 'neutral',
  intent: 'question',
  complex: false,
  confidence: 0.9,
  summary: 's',
  classifier: 'local',
  signals: [],
  ...o,
});

const agent = (id: number, o: Partial<RosterAgent> = {}): RosterAgent => ({
  id,
  name: `agent ${id}`,
  kind: 'human',
  category: null,
  skills: [SW],
  active: true,
  openTickets: 0,
  ...o,
});

const ai = agent(1, { kind: 'ai', category: SW, skills: [] });
const ann = agent(2, { openTickets: 3 });
const bob = agent(3, { openTickets: 1 });
const roster = [ai, ann, bob];

describe('routing rules', () => {
  it('lists the rules in the order they are tried, the pool last', () => {
    expect(RULES.map((r) => r.name)).toEqual([
      'critical-incident→it_team',
      'high-severity→it_team',
      'complex→it_team',
      'low+low+confident→ai',
      'otherwise→pool',
    ]);
  });

  it('sends a low, simple, confident question to the AI agent of its category', () => {
    expect(route(c(), roster, T)).toEqual({ route: 'ai', agent: ai, rule: 'low+low+confident→ai' });
    // At the threshold is confident enough; just below is not.
    expect(route(c({ confidence: 0.55 }), roster, T).route).toBe('ai');
    expect(route(c({ confidence: 0.549 }), roster, T)).toEqual({ route: 'pool', agent: null, rule: 'otherwise→pool' });
    expect(route(c({ confidence: 0.7 }), roster, { aiMinConfidence: 0.8 }).route).toBe('pool');
  });

  it('keeps the AI agent away from anything not low on both scales, closures, and complex tickets', () => {
    for (const o of [
      { severity: 'medium' },
      { urgency: 'medium' },
      { urgency: 'high' },
      { intent: 'closure' },
    ] as Partial<Classification>[])
      expect(route(c(o), roster, T), JSON.stringify(o)).toEqual({ route: 'pool', agent: null, rule: 'otherwise→pool' });
    expect(route(c({ complex: true }), roster, T)).toEqual({ route: 'it_team', agent: bob, rule: 'complex→it_team' });
  });

  it('sends high and critical severity, and critical incidents of any severity, to the least-loaded IT member', () => {
    expect(route(c({ severity: 'high' }), roster, T)).toEqual({
      route: 'it_team',
      agent: bob,
      rule: 'high-severity→it_team',
    });
    expect(route(c({ severity: 'critical' }), roster, T).rule).toBe('high-severity→it_team');
    // A critical signal wins over everything, even a ticket the classifier rates low and is sure about.
    expect(route(c({ signals: ['critical:ransomware'] }), roster, T)).toEqual({
      route: 'it_team',
      agent: bob,
      rule: 'critical-incident→it_team',
    });
    expect(route(c({ severity: 'high', signals: ['security:phishing', 'critical:outage'] }), roster, T).rule).toBe(
      'critical-incident→it_team',
    );
    // Only a signal that starts with "critical:" counts.
    expect(route(c({ signals: ['security:phishing', 'not-critical:x'] }), roster, T).route).toBe('ai');
  });

  it('falls back to the pool, saying why, when the chosen route has nobody', () => {
    expect(route(c(), [ann, bob], T)).toEqual({
      route: 'pool',
      agent: null,
      rule: 'low+low+confident→ai (nobody fits)→pool',
    });
    expect(route(c({ severity: 'high', category: HW }), roster, T)).toEqual({
      route: 'pool',
      agent: null,
      rule: 'high-severity→it_team (nobody fits)→pool',
    });
    expect(route(c({ complex: true }), [ai], T).rule).toBe('complex→it_team (nobody fits)→pool');
  });
});

describe('who fits', () => {
  it('finds the active AI agent of the category only', () => {
    expect(aiAgentFor(SW, roster)).toBe(ai);
    expect(aiAgentFor(HW, roster)).toBeNull();
    expect(aiAgentFor(SW, [{ ...ai, active: false }])).toBeNull();
    expect(aiAgentFor(SW, [{ ...ann, category: SW }])).toBeNull();
    const hwAi = agent(9, { kind: 'ai', category: HW });
    expect(aiAgentFor(HW, [ai, hwAi])).toBe(hwAi);
  });

  it('picks the active human with the skill and the fewest open tickets, the lowest id on a tie', () => {
    expect(leastLoadedHuman(SW, roster)).toBe(bob);
    expect(leastLoadedHuman(HW, roster)).toBeNull();
    expect(leastLoadedHuman(SW, [ann, { ...bob, active: false }])).toBe(ann);
    const carl = agent(4, { openTickets: 1 });
    expect(leastLoadedHuman(SW, [carl, ann, bob])).toBe(bob);
    expect(leastLoadedHuman(SW, [ann, carl])).toBe(carl);
    // An AI agent with the skill is not a human.
    expect(leastLoadedHuman(SW, [agent(5, { kind: 'ai', openTickets: 0 }), ann])).toBe(ann);
  });
});
