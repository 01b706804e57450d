/**
 * Triage: classify (OpenAI with local fallback), route by the rule table against the live roster, and plan what
 * the AI contributes (answer, suggestion or nothing) from the answerability evidence.
 */
import { Op, fn, col } from 'sequelize';
import type { Models } from '../db/models.js';
import type { Logger } from '../log.js';
import { OPEN_STATUSES } from '../domain/vocabulary.js';
import { route, type RosterAgent, type RoutingDecision } from './routing.js';
import type { Classification, Classifier, ClassifyInput } from './types.js';
import type { AnswerPlan, AnswerPlanner } from './plan.js';

/**
 * One ticket's triage. `decision` is final: it routes to the AI agent only when `plan.kind` is 'answer' (a ticket
 * the rules send to the AI agent without a fitting answer goes to the pool, the rule saying why). `plan` is there
 * for every ticket when a planner is configured: the answer text to send, or the one article to suggest in the
 * acknowledgment, or nothing, with the evidence and the reason (see AnswerPlan).
 */
export interface TriageResult {
  classification: Classification;
  decision: RoutingDecision;
  /** Absent only when the triage service was built without a planner. */
  plan?: AnswerPlan;
}

export function createTriage(deps: {
  models: Models;
  primary: Classifier;
  fallback: Classifier;
  aiMinConfidence: number;
  log: Logger;
  /** Answerability and answer composition; without it the result carries no plan (the old compose path). */
  planner?: AnswerPlanner | null;
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

  /** Routes a classified ticket and plans the AI's part; one call after classification. */
  async function decide(input: ClassifyInput, classification: Classification): Promise<TriageResult> {
    const decision = route(classification, await roster(), { aiMinConfidence: deps.aiMinConfidence });
    if (!deps.planner) return { classification, decision: { ...decision } };
    const plan = await deps.planner.plan({
      subject: input.subject ?? '',
      text: input.text,
      requesterName: input.requester?.name ?? '',
      category: classification.category,
      intent: classification.intent,
      signals: classification.signals,
      complex: classification.complex,
      route: decision.route,
    });
    if (decision.route === 'ai' && plan.kind !== 'answer')
      return {
        classification,
        decision: { route: 'pool', agent: null, rule: `${decision.rule}; ${plan.reason}→pool` },
        plan,
      };
    return { classification, decision: { ...decision }, plan };
  }

  return {
    roster,
    classify,
    decide,
    /** Classifies, routes and plans one ticket. */
    async triage(input: ClassifyInput): Promise<TriageResult> {
      return decide(input, await classify(input));
    },
  };
}

export type Triage = ReturnType<typeof createTriage>;
