/** Decides whether a suite that needs a real server can run; never lets a missing server pass silently. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The file vitest's global setup asks suites to list what they skipped in (printed at the end of the run). */
export const NOT_RUN_ENV = 'HD_NOT_RUN_FILE';

/**
 * Returns true when `what` is available. When it is not: under CI (CI=true) this throws so the run fails;
 * elsewhere the suite is skipped, said so at once, and listed again at the end of `npm test`.
 * Use with describe.runIf(need(...)).
 */
export function need(what: string, available: boolean, hint = ''): boolean {
  if (available) return true;
  const msg = `${what} is not available${hint ? ` (${hint})` : ''}`;
  if (process.env.CI === 'true') throw new Error(`${msg}: required under CI, .ci/run installs it`);
  process.stderr.write(`\n*** NOT RUN: ${msg}; the tests that need it did not run. ***\n`);
  const file = process.env[NOT_RUN_ENV];
  const suite = expect.getState().testPath ?? '';
  if (file) appendFileSync(file, `${JSON.stringify({ what: msg, suite: path.relative(root, suite) })}\n`);
  return false;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where ../shared/corpora is, wherever this checkout sits: CORPORA_DIR when set; else `shared/corpora` beside
 * this checkout or any folder above it; else beside the repository this one was cloned from (a clone in /tmp of a
 * checkout in /work still finds /work/shared). Null when none exists.
 */
export function corporaDir(): string | null {
  if (process.env.CORPORA_DIR) return existsSync(process.env.CORPORA_DIR) ? process.env.CORPORA_DIR : null;
  const candidates: string[] = [];
  for (let dir = root; ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'shared/corpora'), path.join(dir, '../shared/corpora'));
    if (path.dirname(dir) === dir) break;
  }
  candidates.push(...originCandidates());
  return candidates.find((c) => existsSync(c)) ?? null;
}

/** `../shared/corpora` beside the local repository this checkout was cloned from, and beside its main worktree. */
function originCandidates(): string[] {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const out: string[] = [];
  const origin = git('config', '--get', 'remote.origin.url').replace(/^file:\/\//, '');
  if (origin.startsWith('/')) out.push(path.resolve(origin, '../shared/corpora'));
  const common = git('rev-parse', '--path-format=absolute', '--git-common-dir');
  if (common) out.push(path.resolve(common, '../../shared/corpora'));
  return out;
}
