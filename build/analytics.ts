/**
 * Builds the analytics page script: server/analytics/page/main.ts → dist/analytics.js, one minified ES2022
 * module with amCharts 5 (core, xy, percent) inside.
 * amCharts' free licence is linkware: the logo stays visible on every chart and its LICENSE file is copied
 * beside the bundle.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, type Bundled } from './bundle.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pageDir = path.resolve(here, '../server/analytics/page');
/** Where the bundle is written and served from. */
export const ANALYTICS_OUT_FILE = path.resolve(here, '../dist/analytics.js');

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
