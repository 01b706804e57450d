/**
 * `npm run -s eval:answers -- FILE`: JSON lines `{subject?, body, expect: issue-slug | null}` in; coverage (answerable
 * requests answered or suggested with the right entry), wrong answers (over all AI answers and suggestions) and the
 * misses out, for the configured classifier: local, or OpenAI (classifier and grounded writer) when OPENAI_API_KEY
 * is set. Each request goes through the same triage service, routing and answer planner as the server.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { loadResolutions } from '../seeds.js';
import { evaluateAnswers, parseAnswerItems, type AnswerItem } from './eval-answers.js';
import { createOfflineTriage } from './cli-offline.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : 'n/a');
const show = (it: AnswerItem) =>
  `line ${it.line}: ${`${it.subject ? `${it.subject} — ` : ''}${it.body}`.replace(/\s+/g, ' ').trim().slice(0, 90)}`;

async function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npm run -s eval:answers -- FILE   (or - for stdin)\n');
    process.exit(2);
  }
  const config = loadConfig(process.env);
  const { items, errors } = parseAnswerItems(
    readFileSync(file === '-' ? 0 : file, 'utf8'),
    new Set(loadResolutions().map((r) => r.issue)),
  );
  for (const e of errors) process.stderr.write(`${e}\n`);
  const off = await createOfflineTriage({
    rootDir: root,
    aiMinConfidence: config.aiConfidenceThreshold,
    openai: config.openai,
  });
  try {
    const r = await evaluateAnswers(off, items);
    const given = r.answers + r.suggestions;
    const classifiers = Object.entries(r.classifiers).map(([c, n]) => `${c} ×${n}`);
    const writer = config.openai.apiKey ? `openai:${config.openai.model}` : 'template';
    const lines = [
      `classifier: ${classifiers.join(', ') || 'none'}; writer: ${writer}`,
      `requests: ${r.requests} (answerable ${r.answerable}, unanswerable ${r.requests - r.answerable})`,
      `AI answers: ${r.answers}, suggestions: ${r.suggestions}, neither: ${r.requests - given}`,
      `coverage: ${pct(r.right, r.answerable)} (${r.right}/${r.answerable} answerable requests answered or suggested ` +
        'with the right entry)',
      `wrong: ${pct(r.wrong, given)} (${r.wrong}/${given} answers and suggestions)`,
      `median triage with answer plan: ${r.medianMs.toFixed(2)} ms`,
    ];
    if (r.wrongs.length)
      lines.push(
        '',
        'wrong answers and suggestions:',
        ...r.wrongs.map((w) => `  [${w.kind}] expected ${w.item.expect ?? 'none'}, got ${w.got}  ${show(w.item)}`),
      );
    if (r.misses.length)
      lines.push(
        '',
        'misses (answerable, nothing given):',
        ...r.misses.map((m) => `  expected ${m.item.expect}: ${m.reason}  ${show(m.item)}`),
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await off.close();
  }
}

await main();
