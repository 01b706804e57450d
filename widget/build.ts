/**
 * Builds the widget: widget/index.ts → dist/widget.js, one minified ES2022 module (Lit included), and
 * reports its gzipped size. `npm run build:widget`; the server also calls buildWidget() at start when
 * the file is missing or older than the sources.
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const widgetDir = path.dirname(fileURLToPath(import.meta.url));
export const WIDGET_SOURCE_DIR = widgetDir;
export const WIDGET_OUT_FILE = path.resolve(widgetDir, '../dist/widget.js');

/** Bundles the widget; returns the output path with its raw and gzipped sizes in bytes. */
export async function buildWidget(outFile = WIDGET_OUT_FILE): Promise<{ file: string; bytes: number; gzipBytes: number }> {
  await build({
    entryPoints: [path.join(widgetDir, 'index.ts')],
    outfile: outFile,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    tsconfig: path.join(widgetDir, 'tsconfig.json'),
    legalComments: 'none',
    // Lit checks this to strip its dev-mode warnings.
    define: { 'process.env.NODE_ENV': '"production"' },
    conditions: ['production'],
    logLevel: 'warning',
  });
  const code = readFileSync(outFile);
  return { file: outFile, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildWidget();
  process.stdout.write(`${path.relative(process.cwd(), r.file)}: ${(r.bytes / 1024).toFixed(1)} KB, ${(r.gzipBytes / 1024).toFixed(1)} KB gzipped\n`);
}
