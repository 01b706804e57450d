/**
 * Builds the widget: widget/index.ts → dist/widget.js, one minified ES2022 module (Lit included), and
 * reports its gzipped size. `npm run build:widget`; the server also calls buildWidget() at start when
 * the file is missing or older than the sources.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, type Bundled } from '../server/http/bundle.js';

const widgetDir = path.dirname(fileURLToPath(import.meta.url));
export const WIDGET_SOURCE_DIR = widgetDir;
export const WIDGET_OUT_FILE = path.resolve(widgetDir, '../dist/widget.js');

/** Bundles the widget; returns the output path with its raw and gzipped sizes in bytes. */
export function buildWidget(outFile = WIDGET_OUT_FILE): Promise<Bundled> {
  return bundle(path.join(widgetDir, 'index.ts'), outFile, {
    tsconfig: path.join(widgetDir, 'tsconfig.json'),
    legalComments: 'none',
    // Lit checks this to strip its dev-mode warnings.
    define: { 'process.env.NODE_ENV': '"production"' },
    conditions: ['production'],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildWidget();
  process.stdout.write(
    `${path.relative(process.cwd(), r.file)}: ${(r.bytes / 1024).toFixed(1)} KB, ${(r.gzipBytes / 1024).toFixed(1)} KB gzipped\n`,
  );
}
