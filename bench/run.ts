/** `npm run bench [-- --quick]`: runs every benchmark, prints one table and writes bench/results.json. */
import os from 'node:os';
import path from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchClassify } from './classify.js';
import { benchAnswerability } from './answerability.js';
import { benchDraft } from './draft.js';
import { benchKb } from './kb.js';
import { benchIntake, benchLatency } from './intake.js';
import { benchHttp } from './http.js';
import { benchParse } from './parse.js';
import { benchIncidents } from './incidents.js';
import { benchOutbox } from './outbox.js';
import { benchRollup } from './rollup.js';
import type { Figure } from './util.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const figures: Figure[] = [];
// Results are merged into an earlier bench/results.json when only some benchmarks run (--only=…).
const resultsFile = path.join(root, 'bench/results.json');
const failures: string[] = [];

async function step(name: string, fn: () => Promise<Figure[]>) {
  if (only && !only.includes(name)) return;
  const t0 = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    figures.push(...(await fn()));
  } catch (err) {
    failures.push(`${name}: ${(err as Error).message}`);
    process.stderr.write(`bench: ${name} failed: ${(err as Error).stack}\n`);
  }
  process.stderr.write(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

await step('classify', () => benchClassify(root, quick));
await step('answerability', () => benchAnswerability(root, quick));
await step('draft', () => benchDraft(quick));
await step('kb-sqlite', () => benchKb(root, 'sqlite', quick ? 10_000 : 100_000));
await step('kb-mariadb', () => benchKb(root, 'mysql', quick ? 10_000 : 100_000));
await step('parse', () => benchParse(quick));
await step('intake', () => benchIntake(root, quick ? 300 : 5_000));
await step('latency', () => benchLatency(root, quick ? 8 : 40));
await step('http', () => benchHttp(root, quick ? 4 : 15));
await step('incidents', () => benchIncidents(root, quick));
await step('outbox', () => benchOutbox(quick));
await step('rollup', () => benchRollup(quick ? 2_000 : 20_000));
await step('analytics', async () => {
  const file = path.join(root, 'bench/analytics.ts');
  if (!existsSync(file)) return [];
  const { benchAnalytics } = await import(pathToFileURL(file).href);
  const r = await benchAnalytics({ rows: quick ? 100_000 : 1_000_000, databaseUrl: 'mysql://root@127.0.0.1:3306/' });
  return [
    {
      name: `analytics summary, a year of ${r.rows.toLocaleString('en')} tickets (MariaDB)`,
      value: r.p95,
      unit: 'ms (p95)',
      target: '≤ 300',
      note: `p50 ${r.p50} ms; one centre + category p50 ${r.filteredP50} ms; medians ${r.medians}; roll-ups kept by triggers (bulk load ${Math.round(r.loadMs / 1000)} s, rebuild ${Math.round(r.rebuildMs / 1000)} s)`,
    },
  ];
});

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  os: `${os.type()} ${os.release()}`,
  date: new Date().toISOString(),
  quick,
};
const w = Math.max(...figures.map((f) => f.name.length), 10);
process.stdout.write(
  `\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}${quick ? ' (--quick)' : ''}\n\n`,
);
process.stdout.write(`${'benchmark'.padEnd(w)}  ${'value'.padStart(10)}  unit        target     note\n`);
for (const f of figures)
  process.stdout.write(
    `${f.name.padEnd(w)}  ${String(f.value).padStart(10)}  ${f.unit.padEnd(10)}  ${(f.target ?? '').padEnd(9)}  ${f.note ?? ''}\n`,
  );
for (const f of failures) process.stdout.write(`FAILED ${f}\n`);
let merged = figures;
if (only && existsSync(resultsFile)) {
  const prev = JSON.parse(readFileSync(resultsFile, 'utf8')) as { figures: Figure[] };
  const fresh = new Set(figures.map((f) => f.name));
  merged = [...prev.figures.filter((f) => !fresh.has(f.name)), ...figures];
}
writeFileSync(resultsFile, JSON.stringify({ machine, figures: merged, failures }, null, 2) + '\n');
process.exit(failures.length ? 1 : 0);
