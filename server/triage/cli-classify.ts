/** `npm run -s classify -- FILE|-`: JSON lines {subject?, body} in, one triage JSON line out per input, offline. */
import { loadConfig } from '../config.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocalClassifier, loadSeedExamples, loadSeedRoster } from './local/classifier.js';
import { route } from './routing.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npm run -s classify -- FILE   (or - for stdin)\n');
    process.exit(2);
  }
  const input = readFileSync(file === '-' ? 0 : file, 'utf8');
  const classifier = createLocalClassifier(loadSeedExamples(root));
  const roster = loadSeedRoster(root);
  const aiMinConfidence = loadConfig(process.env).aiConfidenceThreshold;
  const out: string[] = [];
  for (const line of input.split('\n')) {
    if (!line.trim()) continue;
    out.push(JSON.stringify(classifyLine(line)));
  }
  process.stdout.write(out.length ? `${out.join('\n')}\n` : '');

  function classifyLine(line: string): Record<string, unknown> {
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (err) {
      return { error: `invalid JSON: ${(err as Error).message}` };
    }
    if (!rec || typeof rec !== 'object') return { error: 'expected a JSON object' };
    const { subject, body } = rec as { subject?: unknown; body?: unknown };
    if (typeof body !== 'string' || (subject !== undefined && typeof subject !== 'string')) {
      return { error: 'expected {subject?: string, body: string}' };
    }
    const c = classifier.classifySync({ subject, text: body });
    const decision = route(c, roster, { aiMinConfidence });
    return {
      category: c.category,
      severity: c.severity,
      urgency: c.urgency,
      route: decision.route,
      suggestedAgent: decision.agent?.name ?? null,
      confidence: c.confidence,
      classifier: c.classifier,
      sentiment: c.sentiment,
      intent: c.intent,
      complex: c.complex,
      signals: c.signals,
      summary: c.summary,
      rule: decision.rule,
    };
  }
}

main();
