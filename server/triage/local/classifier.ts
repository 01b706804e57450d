/** The local (offline) classifier: TF-IDF + softmax models for category/severity/urgency, then safety rules. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Classification, Classifier, ClassifyInput, TrainingExample } from '../types.js';
import { CATEGORIES, LEVELS, isCategory, isLevel, type Category, type Level } from '../../domain/vocabulary.js';
import type { RosterAgent } from '../routing.js';
import { applyRules, summarize } from './rules.js';
import { decideLevels } from './levels.js';
import { lexiconExamples } from './lexicon.js';
import { Softmax, TfIdf } from '../../text/softmax.js';
import { tokenize } from '../../text/tokenize.js';

/** A labelled held-out ticket for evaluation. */
export interface HoldoutItem {
  subject?: string;
  body: string;
  category: Category;
  severity?: Level;
  urgency?: Level;
  critical?: boolean;
}

/** Builds the local classifier, training it synchronously on `examples`. */
export function createLocalClassifier(
  examples: TrainingExample[],
): Classifier & { trainedOn: number; trainMs: number; classifySync(input: ClassifyInput): Classification } {
  const started = performance.now();
  const prior = lexiconExamples();
  const docs = [...examples, ...prior].map((e) => tokenize(e.text));
  const tfidf = new TfIdf().fit(docs);
  const xs = docs.map((d) => tfidf.transform(d));
  const n = examples.length;
  const catData = [...examples, ...prior].map((e, i) => ({ x: xs[i]!, y: e.category }));
  const category = new Softmax(CATEGORIES, tfidf.dim, { seed: 7 }).fit(catData);
  // Severity is a noisier label than category, so it gets stronger regularisation. Urgency is derived from it
  // and the deadline cues (levels.ts): the seed labels' urgency mostly repeats the severity, one step up or not.
  const severity = new Softmax(LEVELS, tfidf.dim, { seed: 11, lambda: 3e-4 }).fit(
    examples.map((e, i) => ({ x: xs[i]!, y: e.severity })),
  );
  const trainMs = performance.now() - started;

  function classifySync(input: ClassifyInput): Classification {
    const text = input.subject ? `${input.subject}\n${input.text}` : input.text;
    const x = tfidf.transform(tokenize(text));
    const cat = category.predict(x);
    const rules = applyRules(text);
    const levels = decideLevels(severity.predict(x), text, rules);
    return {
      category: rules.category ?? cat.label,
      severity: levels.severity,
      urgency: levels.urgency,
      suggestedAgent: null,
      sentiment: rules.sentiment,
      intent: rules.intent,
      complex: rules.complex,
      // A rule-forced category is as sure as the rule; otherwise the calibrated model probability.
      confidence: rules.category ? 1 : Math.round(cat.prob * 1000) / 1000,
      summary: summarize(input.subject, input.text),
      classifier: 'local',
      signals: [...rules.signals, ...levels.cues],
    };
  }

  return {
    name: 'local',
    trainedOn: n,
    trainMs,
    classifySync,
    classify: async (input) => classifySync(input),
  };
}

function readJsonLines(file: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object') out.push(v as Record<string, unknown>);
    } catch {
      // A half-written line (the parts are still being edited) is skipped rather than fatal.
    }
  }
  return out;
}

/** The merged file when it exists, else the concatenated per-category parts matching `prefix`. */
function sourceFiles(rootDir: string, merged: string, prefix: string): string[] {
  const full = join(rootDir, merged);
  if (existsSync(full)) return [full];
  const parts = join(rootDir, 'seeds/parts');
  if (!existsSync(parts)) return [];
  return readdirSync(parts)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
    .sort()
    .map((f) => join(parts, f));
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Training examples from seeds/training-tickets.jsonl, else seeds/parts/training-*.jsonl; text = subject + "\n" + text. */
export function loadSeedExamples(rootDir: string): TrainingExample[] {
  const out: TrainingExample[] = [];
  for (const file of sourceFiles(rootDir, 'seeds/training-tickets.jsonl', 'training-')) {
    for (const r of readJsonLines(file)) {
      const body = str(r.text) || str(r.body);
      if (!body || !isCategory(r.category) || !isLevel(r.severity) || !isLevel(r.urgency)) continue;
      const subject = str(r.subject);
      out.push({
        text: subject ? `${subject}\n${body}` : body,
        category: r.category,
        severity: r.severity,
        urgency: r.urgency,
      });
    }
  }
  return out;
}

/** Held-out items from tests/fixtures/triage-holdout.jsonl (or `file`), else seeds/parts/holdout-*.jsonl. */
export function loadHoldout(rootDir: string, file = 'tests/fixtures/triage-holdout.jsonl'): HoldoutItem[] {
  const out: HoldoutItem[] = [];
  for (const file_ of sourceFiles(rootDir, file, 'holdout-')) {
    for (const r of readJsonLines(file_)) {
      const body = str(r.body) || str(r.text);
      if (!body || !isCategory(r.category)) continue;
      out.push({
        subject: str(r.subject) || undefined,
        body,
        category: r.category,
        severity: isLevel(r.severity) ? r.severity : undefined,
        urgency: isLevel(r.urgency) ? r.urgency : undefined,
        critical: r.critical === true,
      });
    }
  }
  return out;
}

/** Roster from seeds/agents.json: AI agents (one per category) then humans, ids 1..n, no open tickets. */
export function loadSeedRoster(rootDir: string): RosterAgent[] {
  const seed = JSON.parse(readFileSync(join(rootDir, 'seeds/agents.json'), 'utf8')) as {
    ai?: { name: string; category: string }[];
    humans?: { name: string; skills?: string[] }[];
  };
  const ai = (seed.ai ?? []).map((a) => ({
    name: a.name,
    kind: 'ai' as const,
    category: a.category,
    skills: [] as string[],
  }));
  const humans = (seed.humans ?? []).map((h) => ({
    name: h.name,
    kind: 'human' as const,
    category: null,
    skills: h.skills ?? [],
  }));
  return [...ai, ...humans].map((a, i) => ({ ...a, id: i + 1, active: true, openTickets: 0 }));
}
