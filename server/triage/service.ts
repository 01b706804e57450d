/** Triage: classify (OpenAI with local fallback), then route by the rule table against the live roster. */
import { Op, fn, col } from 'sequelize';
import type { Models } from '../db/models.js';
import type { Logger } from '../log.js';
import { OPEN_STATUSES } from '../domain/vocabulary.js';
import { route, type RosterAgent, type RoutingDecision } from './routing.js';
import type { Classification, Classifier, ClassifyInput } from './types.js';

export interface TriageResult {
  classification: Classification;
  decision: RoutingDecision;
}

export function createTriage(deps: {
  models: Models;
  primary: Classifier;
  fallback: Classifier;
  aiMinConfidence: number;
  log: Logger;
}) {
  const { Agent, Ticket } = deps.models;

  // The roster is read for every ticket; under a burst it is reused for a moment (loads a second old still pick
  // a fair "least loaded" member, and an agent switched off stops getting tickets within a second).
  let cached: { at: number; value: Promise<RosterAgent[]> } | null = null;
  const ROSTER_TTL_MS = 1000;

  /** Agents with their current open-ticket counts. */
  function roster(): Promise<RosterAgent[]> {
    if (cached && Date.now() - cached.at < ROSTER_TTL_MS) return cached.value;
    const value = loadRoster();
    cached = { at: Date.now(), value };
    value.catch(() => (cached = null));
    return value;
  }

  async function loadRoster(): Promise<RosterAgent[]> {
    const [agents, loads] = await Promise.all([
      Agent.findAll({ where: { active: true } }),
      Ticket.findAll({
        attributes: ['assigneeId', [fn('COUNT', col('id')), 'n']],
        where: { status: { [Op.in]: OPEN_STATUSES as string[] }, assigneeId: { [Op.ne]: null } },
        group: ['assigneeId'],
        raw: true,
      }) as unknown as Promise<{ assigneeId: number; n: number }[]>,
    ]);
    const load = new Map(loads.map((l) => [Number(l.assigneeId), Number(l.n)]));
    return agents.map((a) => ({
      id: a.id,
      name: a.name,
      kind: a.kind,
      category: a.category,
      skills: a.skills,
      active: a.active,
      openTickets: load.get(a.id) ?? 0,
    }));
  }

  /** Classifies with the primary classifier; any failure falls back to the local one (recorded on the result). */
  async function classify(input: ClassifyInput): Promise<Classification> {
    if (deps.primary === deps.fallback) return deps.primary.classify(input);
    try {
      return await deps.primary.classify(input);
    } catch (err) {
      deps.log.warn(
        { err: (err as Error).message, classifier: deps.primary.name },
        'classifier failed, using the local classifier',
      );
      const c = await deps.fallback.classify(input);
      return { ...c, signals: [...c.signals, `fallback:${String((err as Error).message).slice(0, 80)}`] };
    }
  }

  return {
    roster,
    classify,
    /** Classifies and routes one ticket. */
    async triage(input: ClassifyInput): Promise<TriageResult> {
      const classification = await classify(input);
      const decision = route(classification, await roster(), { aiMinConfidence: deps.aiMinConfidence });
      return { classification, decision: { ...decision } };
    },
  };
}

export type Triage = ReturnType<typeof createTriage>;
