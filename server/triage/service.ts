/**
 * Triage: classify (OpenAI with local fallback), route by the rule table against the live roster, and plan what
 * the AI contributes (answer, suggestion or nothing) from the answerability evidence.
 */
import type { Logger } from '../log.js';
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
  primary: Classifier;
  fallback: Classifier;
  aiMinConfidence: number;
  log: Logger;
  /** Answerability and answer composition; without it the result carries no plan (the old compose path). */
  planner?: AnswerPlanner | null;
}) {
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

  /** Routes a classified ticket against the roster the caller read, and plans the AI's part. */
  async function decide(
    input: ClassifyInput,
    classification: Classification,
    roster: RosterAgent[],
  ): Promise<TriageResult> {
    const decision = route(classification, roster, { aiMinConfidence: deps.aiMinConfidence });
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
    /** True when triage never leaves the process (no OpenAI): fast enough to run inside the ticket's transaction. */
    local: deps.primary === deps.fallback,
    classify,
    decide,
    /** Classifies, routes (against the roster the caller read: agents with their open tickets) and plans. */
    async triage(input: ClassifyInput, roster: RosterAgent[]): Promise<TriageResult> {
      return decide(input, await classify(input), roster);
    },
  };
}

export type Triage = ReturnType<typeof createTriage>;
