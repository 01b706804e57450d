/**
 * Vitest global setup: the browser bundles the server serves (dist/) are built once before any suite, as
 * `npm install` does through `prepare`, so a test never runs against bundles older than the sources. At the end of
 * the run it lists every suite that did not run because a server or the corpora were missing: a run that tested
 * less must not look green by accident.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAnalytics } from '../../build/analytics.js';
import { buildWidget } from '../../build/widget.js';
import { NOT_RUN_ENV } from './availability.js';

export default async function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'hd-run-'));
  const file = path.join(dir, 'not-run.jsonl');
  process.env[NOT_RUN_ENV] = file;
  await Promise.all([buildWidget(), buildAnalytics()]);
  return () => {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
    rmSync(dir, { recursive: true, force: true });
    if (!lines.length) return;
    const skipped = [...new Set(lines)].map((l) => JSON.parse(l) as { what: string; suite: string });
    process.stdout.write(
      `\n*** ${skipped.length} suite(s) did NOT run (this run tested less than npm test can): ***\n`,
    );
    for (const s of skipped) process.stdout.write(`  - ${s.suite || '(unknown file)'}: ${s.what}\n`);
  };
}
