/**
 * The analytics page in Chromium against a server with the demo history: every chart draws with data, no
 * console errors, a new ticket shows up live (SSE) within a few seconds, and the page fits a phone's width.
 * Screenshots are kept in test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from './support/availability.js';
import { chromiumAvailable, launchBrowser, saveScreenshot, type LaunchedBrowser } from './support/chromium.js';
import { startTestServer, type TestServer } from './support/server.js';
import { CHART_IDS } from '../server/analytics/html.js';
import type { Summary } from '../server/analytics/summary.js';

type State = { summary: Summary | null; updates: number; lastReason: string | null };
// These callbacks run in the browser; the tests' tsconfig has no DOM lib, so reach the DOM through globalThis.
type Dom = {
  document: { querySelector(s: string): unknown; documentElement: { scrollWidth: number } };
  innerWidth: number;
};
const state = (page: Page) => page.evaluate(() => (globalThis as unknown as { hdAnalytics: State }).hdAnalytics);

describe.runIf(need('Chromium', chromiumAvailable(), 'apt-get install -y chromium'))(
  'analytics page in Chromium',
  () => {
    let s: TestServer;
    let browser: LaunchedBrowser;
    let pageUrl: string;

    beforeAll(async () => {
      s = await startTestServer({ SEED_DEMO: 'true' }, { jobs: false });
      browser = await launchBrowser();
      const minted = await s.api('/api/analytics/links?days=1&label=e2e', { method: 'POST', admin: true });
      pageUrl = (await minted.json()).url;
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await s?.stop();
    });

    async function open(viewport: { width: number; height: number }) {
      const page = await browser.context.newPage();
      await page.setViewportSize(viewport);
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pageUrl);
      await page.waitForFunction(
        () => (globalThis as unknown as { hdAnalytics?: State }).hdAnalytics?.summary != null,
        null,
        { timeout: 15_000 },
      );
      // Every chart container gets its canvas once amCharts has drawn.
      await page.waitForFunction(
        (ids) => ids.every((id) => (globalThis as unknown as Dom).document.querySelector(`#${id} canvas`)),
        CHART_IDS,
        { timeout: 15_000 },
      );
      return { page, errors };
    }

    it('draws every chart with data, without console errors, and updates live after a new ticket', async () => {
      const { page, errors } = await open({ width: 1280, height: 900 });
      const before = (await state(page)).summary!;
      expect(before.totals.tickets).toBeGreaterThan(100);
      expect(before.distribution.ai + before.distribution.itTeam + before.distribution.pool).toBe(
        before.totals.tickets - before.distribution.untriaged,
      );
      expect(before.resolvedBy.ai).toBeGreaterThan(0);
      expect(before.resolvedBy.itTeam).toBeGreaterThan(0);
      expect(before.feedback.counts.reduce((a, c) => a + c.count, 0)).toBeGreaterThan(0);
      expect(before.resolutionTime.aiAgents.length).toBeGreaterThan(0);
      expect(before.resolutionTime.itTeam.medianHours).toBeGreaterThan(0);
      expect(before.devCenters.length).toBeGreaterThan(1);
      expect(before.overTime.some((d) => d.created > 0)).toBe(true);
      expect(before.totals.deflections).toBeGreaterThan(0);
      expect(before.escalations.count).toBeGreaterThan(0);
      expect(before.firstResponse.count).toBeGreaterThan(0);
      expect(await page.locator('#kpis .kpi').count()).toBeGreaterThanOrEqual(6);
      // The free amCharts licence is linkware: each chart keeps its logo link.
      await page.waitForTimeout(1500);
      await saveScreenshot(page, 'analytics-laptop');

      // Wait for the stream's own first summary so the change below cannot be mistaken for it.
      await page.waitForFunction(
        () => (globalThis as unknown as { hdAnalytics: State }).hdAnalytics.updates > 0,
        null,
        { timeout: 10_000 },
      );
      const r = await s.api('/api/tickets', {
        method: 'POST',
        json: {
          name: 'Live Test',
          email: 'live@corp.example',
          devCenter: 'Pune',
          issue: 'How do I set an automatic out of office reply in Outlook?',
        },
      });
      expect(r.status).toBe(201);
      const started = Date.now();
      await page.waitForFunction(
        (n) => {
          const st = (globalThis as unknown as { hdAnalytics: State }).hdAnalytics;
          return st.lastReason === 'change' && st.summary!.totals.tickets === n;
        },
        before.totals.tickets + 1,
        { timeout: 5_000 },
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await page.locator('#live').textContent()).toContain('live');
      expect(errors).toEqual([]);
      await page.close();
    });

    it('fits a phone screen and filters by development centre', async () => {
      const { page, errors } = await open({ width: 390, height: 844 });
      expect(
        await page.evaluate(() => {
          const w = globalThis as unknown as Dom;
          return w.document.documentElement.scrollWidth <= w.innerWidth + 1;
        }),
      ).toBe(true);
      const centre = (await state(page)).summary!.options.devCenters[0]!;
      await page.selectOption('select[name=devCenter]', centre);
      await page.waitForFunction(
        (c) => (globalThis as unknown as { hdAnalytics: State }).hdAnalytics.summary?.filter.devCenter === c,
        centre,
        { timeout: 10_000 },
      );
      const filtered = (await state(page)).summary!;
      expect(filtered.devCenters.map((d) => d.devCenter)).toEqual([centre]);
      expect(page.url()).toContain(`devCenter=${encodeURIComponent(centre)}`);
      await page.waitForTimeout(1000);
      await saveScreenshot(page, 'analytics-phone');
      expect(errors).toEqual([]);
      await page.close();
    });
  },
);
