/** Decides whether a suite that needs a real server can run; never lets a missing server pass silently. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * Returns true when `what` is available. When it is not: under CI (CI=true) this throws so the run fails;
 * elsewhere it prints plainly that the suite did not run. Use with describe.runIf(need(...)).
 */
export function need(what: string, available: boolean, hint = ''): boolean {
  if (available) return true;
  const msg = `${what} is not available${hint ? ` (${hint})` : ''}`;
  if (process.env.CI === 'true') throw new Error(`${msg}: required under CI, .ci/run installs it`);
  console.warn(`\n*** NOT RUN: ${msg}; the tests that need it did not run. ***\n`);
  return false;
}

/** Absolute path of ../shared/corpora beside the checkout, or null when it is absent. */
export function corporaDir(): string | null {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = process.env.CORPORA_DIR ?? path.resolve(root, '../shared/corpora');
  return existsSync(dir) ? dir : null;
}
