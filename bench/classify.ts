/** Local classifier: training time at start and per-ticket classification time. */
import { createLocalClassifier, loadHoldout, loadSeedExamples } from '../server/triage/local/classifier.js';
import { percentile, round, type Figure } from './util.js';

export async function benchClassify(root: string, quick: boolean): Promise<Figure[]> {
  const examples = loadSeedExamples(root);
  const t0 = performance.now();
  const c = createLocalClassifier(examples);
  const trainMs = performance.now() - t0;
  const items = loadHoldout(root).map((h) => ({ subject: h.subject, text: h.body }));
  const times: number[] = [];
  const rounds = quick ? 3 : 20;
  for (let r = 0; r < rounds; r++) {
    for (const it of items) {
      const s = performance.now();
      c.classifySync(it);
      times.push(performance.now() - s);
    }
  }
  return [
    {
      name: 'local classifier: training at start',
      value: round(trainMs, 0),
      unit: 'ms',
      target: '≤ 3000',
      note: `${examples.length} examples`,
    },
    {
      name: 'local classifier: per ticket (median)',
      value: round(percentile(times, 50), 3),
      unit: 'ms',
      target: '≤ 2',
      note: `p95 ${round(percentile(times, 95), 3)} ms over ${times.length}`,
    },
  ];
}
