/** Browser bundles (the widget, the analytics page) built with esbuild at start or on demand. */
import { build, type BuildOptions } from 'esbuild';
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface Bundled {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/**
 * Bundles `entry` into one minified ES2022 module at `outFile`. It is written beside the target and renamed, so a
 * concurrent start (or test fork) never serves half a file.
 */
export async function bundle(entry: string, outFile: string, opts: BuildOptions = {}): Promise<Bundled> {
  const tmp = `${outFile}.${process.pid}.tmp`;
  await build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    logLevel: 'warning',
    ...opts,
  });
  renameSync(tmp, outFile);
  const code = readFileSync(outFile);
  return { file: outFile, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** True when `outFile` is missing or older than any .ts source in `sourceDir` (tests excluded). */
export function isStale(outFile: string, sourceDir: string): boolean {
  if (!existsSync(outFile)) return true;
  const built = statSync(outFile).mtimeMs;
  return readdirSync(sourceDir).some(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && statSync(path.join(sourceDir, f)).mtimeMs > built,
  );
}
