/** Triage: classify (the primary classifier, the local one as fallback), then route by the rule table. */
import type { Logger } from '../log.js';
import { route, type RosterAgent, type RoutingDecision } from './routing.js';
import type { Classification, Classifier, ClassifyInput } from './types.js';

export interface TriageResult {
  classification: Classification;
  decision: RoutingDecision;
}

export function createTriage(deps: {
  primary: Classifier;
  fallback: Classifier;
  aiMinConfidence: number;
  log: Logger;
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

  return {
    classify,
    /** Classifies and routes one ticket against the roster the caller read (agents with their open tickets). */
    async triage(input: ClassifyInput, roster: RosterAgent[]): Promise<TriageResult> {
      const classification = await classify(input);
      return { classification, decision: route(classification, roster, { aiMinConfidence: deps.aiMinConfidence }) };
    },
  };
}

export type Triage = ReturnType<typeof createTriage>;
