/**
 * The AI agent's answer for the ticket service's current call site (create.ts: `compose()` for tickets routed to
 * the AI agent). It runs the answer plan (plan.ts) with what it has: the KB search, the issue model the search fuses
 * (`search.issues()`) and the safety rules' reading of the text, so an answer is only given when answerability's
 * evidence says the entry fits. New code calls the triage service, whose result carries the plan for every ticket.
 */
import { loadIssuePhrasings } from '../db/seed.js';
import type { KbSearch } from '../kb/search.js';
import type { Logger } from '../log.js';
import { ANSWER_THRESHOLDS } from './answerability.js';
import { createIntentProfile } from './intents.js';
import { applyRules } from './local/rules.js';
import { createAnswerPlanner } from './plan.js';
import type { AnswerInput, GroundedWriter } from './writer.js';

export { renderTemplateAnswer, type AnswerInput, type GroundedWriter } from './writer.js';

export interface AnswerResult {
  ok: boolean;
  answer: string;
  sources: { id: number; title: string; score: number }[];
  composer: string;
  reason: string;
}

/** Minimum share of the request's words the entry must contain (answerability's lexical check). */
export const MIN_ANSWER_SCORE = ANSWER_THRESHOLDS.lexical;

export function createAnswerer(deps: {
  search: KbSearch;
  writer?: GroundedWriter | null;
  log: Logger;
  minScore?: number;
}) {
  const planner = createAnswerPlanner({
    search: deps.search,
    issues: { rank: (q: string, top?: number) => deps.search.issues(q, top) },
    intents: createIntentProfile(loadIssuePhrasings()),
    writer: deps.writer ?? null,
    log: deps.log,
    thresholds: { ...ANSWER_THRESHOLDS, lexical: deps.minScore ?? ANSWER_THRESHOLDS.lexical },
  });
  return {
    /** The answer for a ticket routed to the AI agent, or ok: false with the reason (the ticket goes to the pool). */
    async compose(input: AnswerInput): Promise<AnswerResult> {
      const rules = applyRules(`${input.subject}\n${input.text}`);
      const plan = await planner.plan({
        ...input,
        intent: rules.intent,
        signals: rules.signals,
        complex: rules.complex,
        route: 'ai',
      });
      return {
        ok: plan.kind === 'answer',
        answer: plan.answer ?? '',
        sources: plan.sources,
        composer: plan.composer,
        reason: plan.reason,
      };
    },
  };
}

export type Answerer = ReturnType<typeof createAnswerer>;
