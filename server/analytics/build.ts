/**
 * Builds the analytics page script: server/analytics/page/main.ts → dist/analytics.js, one minified ES2022
 * module with amCharts 5 (core, xy, percent) inside. `npx tsx server/analytics/build.ts`; the server calls
 * ensureAnalyticsBuilt() at start when the file is missing or older than the sources.
 * amCharts' free licence is linkware: the logo stays visible on every chart and its LICENSE file is copied
 * beside the bundle.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, isStale, type Bundled } from '../http/bundle.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pageDir = path.join(here, 'page');
/** Where the bundle is written and served from. */
export const ANALYTICS_OUT_FILE = path.resolve(here, '../../dist/analytics.js');

/** Bundles the page script; returns the output path with raw and gzipped sizes in bytes. */
export async function buildAnalytics(outFile = ANALYTICS_OUT_FILE): Promise<Bundled> {
  mkdirSync(path.dirname(outFile), { recursive: true });
  const r = await bundle(path.join(pageDir, 'main.ts'), outFile, {
    tsconfig: path.join(pageDir, 'tsconfig.json'),
    // The licence forbids removing amCharts' copyright notices: keep legal comments, gathered at the end.
    legalComments: 'eof',
    banner: {
      js: '/*! Helpdesk analytics. Charts by amCharts 5 (https://www.amcharts.com/), free linkware licence: see analytics.LICENSE.txt */',
    },
  });
  const licence = createRequire(import.meta.url).resolve('@amcharts/amcharts5/LICENSE');
  copyFileSync(licence, path.join(path.dirname(outFile), 'analytics.LICENSE.txt'));
  return r;
}

/** Builds when dist/analytics.js is missing or older than any page source; returns whether it built. */
export async function ensureAnalyticsBuilt(outFile = ANALYTICS_OUT_FILE): Promise<boolean> {
  if (!isStale(outFile, pageDir)) return false;
  await buildAnalytics(outFile);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildAnalytics();
  process.stdout.write(
    `${path.relative(process.cwd(), r.file)}: ${(r.bytes / 1024).toFixed(1)} KB, ${(r.gzipBytes / 1024).toFixed(1)} KB gzipped\n`,
  );
}
