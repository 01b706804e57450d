/**
 * What answerability adds per ticket on the local path, measured in the same run as the local classifier alone:
 * the answer plan (KB search on SQLite, issue model, the decision, the template) and the decision by itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadExtraPhrasings, loadIssuePhrasings } from '../server/seeds.js';
import { decideAnswerability } from '../server/triage/answerability.js';
import { createIntentProfile } from '../server/triage/intents.js';
import { createOfflineTriage } from '../server/triage/cli-offline.js';
import { percentile, round, type Figure } from './util.js';

export async function benchAnswerability(root: string, quick: boolean): Promise<Figure[]> {
  // Requests of every kind: the answerability sets and the triage held-out set (incidents too).
  const items = ['answers-dev.jsonl', 'answers-holdout.jsonl', 'triage-holdout.jsonl'].flatMap((f) =>
    readFileSync(path.join(root, 'tests/fixtures', f), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { subject?: string; body: string })
      .map((r) => ({ subject: r.subject, text: r.body })),
  );
  const off = await createOfflineTriage({ rootDir: root, aiMinConfidence: 0.55 });
  const intents = createIntentProfile([...loadIssuePhrasings(), ...loadExtraPhrasings()]);
  try {
    const rounds = quick ? 3 : 15;
    const classify: number[] = [];
    const plan: number[] = [];
    const decide: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const it of items) {
        let t = performance.now();
        const c = off.local.classifySync(it);
        classify.push(performance.now() - t);
        const input = {
          subject: it.subject ?? '',
          text: it.text,
          requesterName: 'Bench',
          category: c.category,
          intent: c.intent,
          signals: c.signals,
          complex: c.complex,
          route: 'pool' as const,
        };
        t = performance.now();
        await off.planner.plan(input);
        plan.push(performance.now() - t);
        // The decision alone, on retrieval already done (what answerability itself costs).
        const q = `${input.subject}\n${input.text}`;
        const hits = await off.search.search(q, { limit: 5 });
        const issues = off.issues.rank(q, 5);
        t = performance.now();
        decideAnswerability({ ...input, hits, issues, intentFit: (i, n) => intents.fit(i, n) });
        decide.push(performance.now() - t);
      }
    }
    const med = (xs: number[]) => percentile(xs, 50);
    return [
      {
        name: 'answerability: answer plan per ticket (median)',
        value: round(med(plan), 3),
        unit: 'ms',
        target: '≤ 2',
        note:
          `p95 ${round(percentile(plan, 95), 3)} ms; ${round(med(plan) / med(classify), 1)}× the local classifier ` +
          `alone (median ${round(med(classify), 3)} ms, same run); KB search on SQLite, ${plan.length} tickets`,
      },
      {
        name: 'answerability: decision alone per ticket (median)',
        value: round(med(decide), 4),
        unit: 'ms',
        note: `p95 ${round(percentile(decide, 95), 4)} ms; ${round(med(decide) / med(classify), 2)}× the classifier`,
      },
    ];
  } finally {
    await off.close();
  }
}
