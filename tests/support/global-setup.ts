/**
 * Vitest global setup: the browser bundles the server serves (dist/) are built once before any suite, as
 * `npm install` does through `prepare`, so a test never runs against bundles older than the sources.
 */
import { buildAnalytics } from '../../build/analytics.js';
import { buildWidget } from '../../build/widget.js';

export default async function setup() {
  await Promise.all([buildWidget(), buildAnalytics()]);
}
