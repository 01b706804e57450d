/** Measuring answerability: coverage and wrong answers of the answer plan over labelled requests (eval:answers). */
import type { Models } from '../db/models.js';
import type { TriageResult } from './service.js';
import type { ClassifyInput } from './types.js';

/** The triage stack the evaluation needs (cli-offline.ts builds one). */
export interface EvaluatedStack {
  triage: { triage(input: ClassifyInput): Promise<TriageResult> };
  models: Pick<Models, 'KbEntry'>;
}

/** One labelled request: `expect` is the issue whose article answers it, or null when none does. */
export interface AnswerItem {
  line: number;
  subject?: string;
  body: string;
  expect: string | null;
}

export interface AnswerReport {
  requests: number;
  answerable: number;
  /** Answerable requests answered or suggested with the right entry. */
  right: number;
  answers: number;
  suggestions: number;
  /** Answers and suggestions with the wrong entry, or for a request nothing answers. */
  wrong: number;
  coverage: number;
  wrongRate: number;
  classifiers: Record<string, number>;
  medianMs: number;
  wrongs: { item: AnswerItem; kind: string; got: string }[];
  misses: { item: AnswerItem; reason: string }[];
}

/** Parses JSON lines `{subject?, body, expect: issue-slug | null}`; bad lines are reported, not fatal. */
export function parseAnswerItems(input: string, known: Set<string>): { items: AnswerItem[]; errors: string[] } {
  const items: AnswerItem[] = [];
  const errors: string[] = [];
  for (const [n, line] of input.split('\n').entries()) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      if (!r || typeof r !== 'object' || typeof r.body !== 'string' || !r.body.trim()) throw new Error('needs a body');
      if (r.subject !== undefined && typeof r.subject !== 'string') throw new Error('subject must be a string');
      if (r.expect !== null && (typeof r.expect !== 'string' || !known.has(r.expect)))
        throw new Error(`expect must be a known issue slug or null (got ${JSON.stringify(r.expect ?? 'nothing')})`);
      items.push({ line: n + 1, subject: r.subject as string | undefined, body: r.body, expect: r.expect });
    } catch (err) {
      errors.push(`line ${n + 1} skipped: ${(err as Error).message}`);
    }
  }
  return { items, errors };
}

/** Runs every request through the triage service (classify, route, plan) and scores the plans. */
export async function evaluateAnswers(off: EvaluatedStack, items: AnswerItem[]): Promise<AnswerReport> {
  const issueOf = new Map(
    (await off.models.KbEntry.findAll({ attributes: ['id', 'issue'] })).map((e) => [e.id, e.issue]),
  );
  const r: AnswerReport = {
    requests: items.length,
    answerable: 0,
    right: 0,
    answers: 0,
    suggestions: 0,
    wrong: 0,
    coverage: 0,
    wrongRate: 0,
    classifiers: {},
    medianMs: 0,
    wrongs: [],
    misses: [],
  };
  const times: number[] = [];
  for (const item of items) {
    const t0 = performance.now();
    const t = await off.triage.triage({ subject: item.subject, text: item.body, requester: { name: 'Evaluation' } });
    times.push(performance.now() - t0);
    r.classifiers[t.classification.classifier] = (r.classifiers[t.classification.classifier] ?? 0) + 1;
    const plan = t.plan!;
    const got = plan.kind === 'none' || !plan.entry ? null : (issueOf.get(plan.entry.id) ?? `entry ${plan.entry.id}`);
    if (item.expect) r.answerable++;
    if (plan.kind === 'answer') r.answers++;
    if (plan.kind === 'suggest') r.suggestions++;
    if (got && got === item.expect) r.right++;
    else if (got) {
      r.wrong++;
      r.wrongs.push({ item, kind: plan.kind, got });
    } else if (item.expect) r.misses.push({ item, reason: plan.reason });
  }
  times.sort((a, b) => a - b);
  r.coverage = r.answerable ? r.right / r.answerable : 0;
  r.wrongRate = r.answers + r.suggestions ? r.wrong / (r.answers + r.suggestions) : 0;
  r.medianMs = times[times.length >> 1] ?? 0;
  return r;
}
