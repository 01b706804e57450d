/**
 * How often requests of each intent are about each known issue, read off how employees describe the issues (the
 * seed tickets) with the same intent detector the classifier uses. Answerability weighs issues by it: a service
 * request ("need Acrobat Pro installed") is rarely about a licence error and often about an install.
 */
import type { Intent } from '../domain/vocabulary.js';
import { detectIntent } from './local/rules.js';

/** The intents that say what kind of article fits; "other" and "closure" say nothing about that. */
const TELLING: readonly Intent[] = ['incident', 'service_request', 'question'];

export interface IntentProfile {
  /** Smoothed share of this issue's requests that have this intent; null when the intent tells nothing. */
  fit(issue: string, intent: Intent): number | null;
}

/** Counts the telling intents per issue over `{issue, text}` examples, with add-one smoothing. */
export function createIntentProfile(examples: { issue: string; text: string }[]): IntentProfile {
  const counts = new Map<string, Map<Intent, number>>();
  for (const e of examples) {
    const intent = detectIntent(e.text);
    if (!TELLING.includes(intent)) continue;
    const m = counts.get(e.issue) ?? counts.set(e.issue, new Map()).get(e.issue)!;
    m.set(intent, (m.get(intent) ?? 0) + 1);
  }
  return {
    fit(issue, intent) {
      if (!TELLING.includes(intent)) return null;
      const m = counts.get(issue);
      let n = 0;
      for (const v of m?.values() ?? []) n += v;
      return ((m?.get(intent) ?? 0) + 1) / (n + TELLING.length);
    },
  };
}
