/**
 * `npm run build` (also run by npm after `npm install` / `npm ci`, as `prepare`): bundles the browser code into
 * dist/. The server only serves these files; it never builds at start, so esbuild stays a development tool and
 * the installed tree can be read-only.
 */
import path from 'node:path';
import { buildAnalytics } from './analytics.js';
import { buildWidget } from './widget.js';

for (const r of [await buildWidget(), await buildAnalytics()]) {
  const kb = (n: number) => (n / 1024).toFixed(1);
  process.stdout.write(`${path.relative(process.cwd(), r.file)}: ${kb(r.bytes)} KB, ${kb(r.gzipBytes)} KB gzipped\n`);
}
