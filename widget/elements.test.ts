/** Unit tests of the hd-* elements in Chromium, the bundle served from an intercepted origin (no helpdesk needed). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumAvailable, launchBrowser, type LaunchedBrowser } from '../tests/support/chromium.js';
import { need } from '../tests/support/availability.js';
import { buildWidget } from '../build/widget.js';

const ORIGIN = 'http://intranet.test';

describe.runIf(need('Chromium', chromiumAvailable()))('hd-* elements', () => {
  let browser: LaunchedBrowser;
  let bundle: string;
  let size = 0;

  beforeAll(async () => {
    const r = await buildWidget(path.join(mkdtempSync(path.join(tmpdir(), 'hd-widget-')), 'widget.js'));
    bundle = readFileSync(r.file, 'utf8');
    size = r.gzipBytes;
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());

  /** A page at ORIGIN with `body` and the widget script; API calls answer from `api`. */
  async function open(body: string, api: Record<string, unknown> = {}): Promise<Page> {
    const page = await browser.context.newPage();
    await page.route(`${ORIGIN}/**`, (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/widget.js') return route.fulfill({ contentType: 'text/javascript', body: bundle });
      if (url.pathname === '/')
        return route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><html lang="en"><title>t</title><body>${body}</body></html>`,
        });
      return route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify(api[url.pathname] ?? { devCenters: [], closeDelaySeconds: 1, pollSeconds: 5 }),
      });
    });
    await page.goto(`${ORIGIN}/`);
    return page;
  }

  it('stays under 20 KB gzipped', () => {
    expect(size).toBeLessThan(20 * 1024);
  });

  it('hd-feedback marks the choice and fires hd-feedback', async () => {
    const page = await open(`<hd-feedback score="2"></hd-feedback><script type="module" src="/widget.js"></script>`);
    await page.evaluate(() => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const g = globalThis as any;
      g.document.addEventListener('hd-feedback', (e: { detail: { score: number } }) => (g.picked = e.detail.score));
    });
    expect(await page.getByRole('button', { name: /Unhappy \(2 of 5\)/ }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: /Delighted \(5 of 5\)/ }).click();
    expect(await page.evaluate(() => (globalThis as unknown as { picked: number }).picked)).toBe(5);
    await page.close();
  });

  it('the launcher appears only with data-launcher and no widget, opens by keyboard and closes with Escape', async () => {
    let page = await open(`<script type="module" src="/widget.js" data-launcher data-dev-center="Pune"></script>`, {
      '/api/widget/config': { devCenters: ['Pune', 'Austin'], closeDelaySeconds: 1, pollSeconds: 5 },
    });
    const toggle = page.getByRole('button', { name: 'IT help' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'IT support' }).waitFor();
    expect(await page.getByLabel('Development center').inputValue()).toBe('Pune');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { tagName: string } } }).document.activeElement
            .tagName,
      ),
    ).toBe('HD-LAUNCHER');
    await page.close();

    page = await open(
      `<hd-support-widget></hd-support-widget><script type="module" src="/widget.js" data-launcher></script>`,
    );
    await page.getByLabel('Your name').waitFor();
    expect(await page.locator('hd-launcher').count()).toBe(0);
    await page.close();
  });

  it('hd-support-widget validates on the client and names every bad field', async () => {
    const page = await open(`<hd-support-widget></hd-support-widget><script type="module" src="/widget.js"></script>`);
    await page.getByRole('button', { name: 'Send to IT' }).click();
    expect(await page.getByText('Please enter your name.').count()).toBe(1);
    expect(await page.getByText(/valid email address/).count()).toBe(1);
    expect(await page.getByLabel('Your name').getAttribute('aria-invalid')).toBe('true');
    expect(
      await page.evaluate(
        () =>
          (
            globalThis as unknown as {
              document: { querySelector(s: string): { shadowRoot: { activeElement: { id: string } } } };
            }
          ).document.querySelector('hd-support-widget').shadowRoot.activeElement.id,
      ),
    ).toBe('name');
    await page.close();
  });
});
