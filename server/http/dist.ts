/** The browser bundles in dist/, built by `npm run build` (npm runs it on install); the server only serves them. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
export const WIDGET_FILE = path.join(distDir, 'widget.js');
export const ANALYTICS_FILE = path.join(distDir, 'analytics.js');

/** Stops start-up with a clear message when a bundle is missing (a checkout where npm install did not run). */
export function requireBundles() {
  const missing = [WIDGET_FILE, ANALYTICS_FILE].filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(
      `${missing.map((f) => path.relative(process.cwd(), f)).join(', ')} missing: run \`npm run build\` first`,
    );
  }
}
