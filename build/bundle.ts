/** Browser bundles (the widget, the analytics page) built with esbuild by `npm run build` (run on install). */
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
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
  mkdirSync(path.dirname(outFile), { recursive: true });
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
