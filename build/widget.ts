/** Builds the widget: widget/index.ts → dist/widget.js, one minified ES2022 module (Lit included). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, type Bundled } from './bundle.js';

const widgetDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../widget');
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
