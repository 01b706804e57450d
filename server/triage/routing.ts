/** Routing: one readable rule table deciding who handles a triaged ticket. The model fills the schema; rules decide. */
import type { Classification } from './types.js';
import { levelRank, type Category } from '../domain/vocabulary.js';

export type Route = 'ai' | 'it_team' | 'pool';

export interface RosterAgent {
  id: number;
  name: string;
  kind: 'ai' | 'human';
  category: string | null;
  skills: string[];
  active: boolean;
  /** Open tickets currently assigned (for least-loaded choice). */
  openTickets: number;
}

export interface RoutingThresholds {
  /** Minimum category confidence for the AI agent to answer. */
  aiMinConfidence: number;
}

export interface RoutingDecision {
  route: Route;
  agent: RosterAgent | null;
  /** The rule that matched, recorded on the ticket for the audit trail. */
  rule: string;
}

const isLow = (c: Classification) => levelRank(c.severity) === 0 && levelRank(c.urgency) === 0;
const isHighOrCritical = (c: Classification) => levelRank(c.severity) >= 2;
const isCritical = (c: Classification) => c.signals.some((s) => s.startsWith('critical:'));

interface Rule {
  name: string;
  when: (c: Classification, t: RoutingThresholds) => boolean;
  route: Route;
}

/** Evaluated top to bottom; the first rule whose condition holds and that finds an agent wins. */
export const RULES: readonly Rule[] = [
  { name: 'critical-incident→it_team', when: (c) => isCritical(c), route: 'it_team' },
  { name: 'high-severity→it_team', when: (c) => isHighOrCritical(c), route: 'it_team' },
  { name: 'complex→it_team', when: (c) => c.complex, route: 'it_team' },
  {
    name: 'low+low+confident→ai',
    when: (c, t) => isLow(c) && !c.complex && c.confidence >= t.aiMinConfidence && c.intent !== 'closure',
    route: 'ai',
  },
  // Stryker disable next-line BooleanLiteral,ArrowFunction: equivalent, route() ends in the same pool decision
  { name: 'otherwise→pool', when: () => true, route: 'pool' },
];

/** The AI agent of a category. */
export function aiAgentFor(category: Category | string, roster: RosterAgent[]) {
  return roster.find((a) => a.kind === 'ai' && a.active && a.category === category) ?? null;
}

/** The active human with the category's skill who has the fewest open tickets (ties: lowest id). */
export function leastLoadedHuman(category: Category | string, roster: RosterAgent[]) {
  const fit = roster.filter((a) => a.kind === 'human' && a.active && a.skills.includes(category));
  fit.sort((a, b) => a.openTickets - b.openTickets || a.id - b.id);
  return fit[0] ?? null;
}

/** Applies the rule table; when the chosen route has nobody to take it, the ticket goes to the pool. */
export function route(c: Classification, roster: RosterAgent[], t: RoutingThresholds): RoutingDecision {
  for (const rule of RULES) {
    if (!rule.when(c, t)) continue;
    if (rule.route === 'pool') return { route: 'pool', agent: null, rule: rule.name };
    const agent = rule.route === 'ai' ? aiAgentFor(c.category, roster) : leastLoadedHuman(c.category, roster);
    if (agent) return { route: rule.route, agent, rule: rule.name };
    return { route: 'pool', agent: null, rule: `${rule.name} (nobody fits)→pool` };
  }
  // Stryker disable next-line all: never reached (the last rule always holds); here for the type checker
  return { route: 'pool', agent: null, rule: 'otherwise→pool' };
}
