/** `npm run -s eval:triage -- FILE`: labelled JSON lines in; accuracy, per-category P/R, confusion matrix, routing safety out. */
import { loadConfig } from '../config.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocalClassifier, loadSeedExamples, loadSeedRoster } from './local/classifier.js';
import { route } from './routing.js';
import type { HoldoutItem } from './local/classifier.js';
import { CATEGORIES, isCategory, isLevel, levelRank } from '../domain/vocabulary.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Same shape as the held-out set's lines. */
type Labelled = HoldoutItem;

function parse(input: string): Labelled[] {
  const items: Labelled[] = [];
  for (const [n, line] of input.split('\n').entries()) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as Record<string, unknown>;
      const body = typeof r.body === 'string' ? r.body : typeof r.text === 'string' ? r.text : '';
      if (!body || !isCategory(r.category)) throw new Error('needs body and a known category');
      items.push({
        subject: typeof r.subject === 'string' ? r.subject : undefined,
        body,
        category: r.category,
        severity: isLevel(r.severity) ? r.severity : undefined,
        urgency: isLevel(r.urgency) ? r.urgency : undefined,
        critical: r.critical === true,
      });
    } catch (err) {
      process.stderr.write(`line ${n + 1} skipped: ${(err as Error).message}\n`);
    }
  }
  return items;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
const SHORT = ['Access', 'Network', 'Hardware', 'Software', 'Collab', 'Security'];

function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npm run -s eval:triage -- FILE\n');
    process.exit(2);
  }
  const items = parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  const examples = loadSeedExamples(root);
  const classifier = createLocalClassifier(examples);
  const roster = loadSeedRoster(root);
  const aiMinConfidence = loadConfig(process.env).aiConfidenceThreshold;

  const K = CATEGORIES.length;
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let correct = 0,
    sevOk = 0,
    sevNear = 0,
    sevN = 0,
    urgOk = 0,
    urgNear = 0,
    urgN = 0,
    criticalToAi = 0,
    toAi = 0,
    criticalN = 0;
  const routes: Record<string, number> = {};
  const times: number[] = [];
  for (const it of items) {
    const t0 = performance.now();
    const c = classifier.classifySync({ subject: it.subject, text: it.body });
    times.push(performance.now() - t0);
    const d = route(c, roster, { aiMinConfidence });
    confusion[CATEGORIES.indexOf(it.category)]![CATEGORIES.indexOf(c.category)]!++;
    if (c.category === it.category) correct++;
    if (it.severity) {
      sevN++;
      if (c.severity === it.severity) sevOk++;
      if (Math.abs(levelRank(c.severity) - levelRank(it.severity)) <= 1) sevNear++;
    }
    if (it.urgency) {
      urgN++;
      if (c.urgency === it.urgency) urgOk++;
      if (Math.abs(levelRank(c.urgency) - levelRank(it.urgency)) <= 1) urgNear++;
    }
    routes[d.route] = (routes[d.route] ?? 0) + 1;
    if (d.route === 'ai') toAi++;
    if (it.critical) criticalN++;
    if (it.critical && d.route === 'ai') {
      criticalToAi++;
      process.stderr.write(`critical→ai: ${it.subject ?? it.body.slice(0, 80)}\n`);
    }
  }
  times.sort((a, b) => a - b);
  const lines = [
    `trained on ${classifier.trainedOn} examples in ${classifier.trainMs.toFixed(0)} ms; evaluated ${items.length}`,
    `category accuracy: ${pct(correct, items.length)} (${correct}/${items.length})`,
    `severity accuracy: ${pct(sevOk, sevN)} (within one level ${pct(sevNear, sevN)})   urgency accuracy: ${pct(urgOk, urgN)} (within one level ${pct(urgNear, urgN)})`,
    `median classify: ${(times[Math.floor(times.length / 2)] ?? 0).toFixed(3)} ms`,
    '',
    'category                     precision  recall  n',
  ];
  for (let k = 0; k < K; k++) {
    const tp = confusion[k]![k]!;
    const predicted = confusion.reduce((s, row) => s + row[k]!, 0);
    const actual = confusion[k]!.reduce((s, v) => s + v, 0);
    lines.push(
      `${CATEGORIES[k]!.padEnd(28)} ${pct(tp, predicted).padStart(9)} ${pct(tp, actual).padStart(7)}  ${actual}`,
    );
  }
  lines.push(
    '',
    `confusion (rows = true, cols = predicted)`,
    `${''.padEnd(10)}${SHORT.map((s) => s.padStart(9)).join('')}`,
  );
  for (let k = 0; k < K; k++)
    lines.push(`${SHORT[k]!.padEnd(10)}${confusion[k]!.map((v) => String(v).padStart(9)).join('')}`);
  lines.push(
    '',
    `routes: ${Object.entries(routes)
      .map(([r, n]) => `${r}=${n}`)
      .join(' ')}  (AI share ${pct(toAi, items.length)})`,
    `critical incidents: ${criticalN}`,
    `critical incidents routed to AI: ${criticalToAi}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  if (criticalToAi > 0) process.exitCode = 1;
}

main();
