/** Secrets not given in the environment are generated once and kept in the data folder, so signed links survive restarts. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Returns the value from env, else from DATA_DIR/<file>, else a new random one written there (mode 600). */
export function persistentSecret(
  given: string | undefined,
  dataDir: string,
  file: string,
): { value: string; generated: boolean } {
  if (given) return { value: given, generated: false };
  const p = path.join(dataDir, file);
  if (existsSync(p)) return { value: readFileSync(p, 'utf8').trim(), generated: false };
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(32).toString('base64url');
  writeFileSync(p, value + '\n', { mode: 0o600, flag: 'wx' });
  return { value, generated: true };
}
