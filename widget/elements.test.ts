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
  it('hd-support-widget sends one Idempotency-Key per submission and the same one when it sends it again', async () => {
    const page = await open(`<hd-support-widget></hd-support-widget><script type="module" src="/widget.js"></script>`);
    const keys: string[] = [];
    // Answers for the successive POSTs: a network failure, then 503s, then the 201.
    const answers: ('abort' | number)[] = ['abort', 503, 503, 503, 201];
    await page.route(`${ORIGIN}/api/tickets`, (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      const a = answers.shift();
      if (a === 'abort') return route.abort('connectionreset');
      const created = { id: 7, ref: 'IT-7', status: 'open', route: 'pool', category: null, assignee: null };
      return route.fulfill({
        status: a,
        contentType: 'application/json',
        body: JSON.stringify(a === 201 ? created : { error: { code: 'unavailable', message: 'Down for a moment.' } }),
      });
    });
    await page.getByLabel('Your name').fill('Rita Gomes');
    await page.getByLabel('Work email').fill('rita@corp.example');
    const issue = page.getByLabel('What is the problem?');
    await issue.fill('The printer on floor 3 is jammed.');
    const send = page.getByRole('button', { name: 'Send to IT' });
    await send.click();
    // The lost first attempt is sent again by itself, with the same key; the 503 after it is shown.
    await page.getByText('Down for a moment.').waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(keys[1]).toBe(keys[0]);
    // Another text is another submission with a key of its own; sending it again unchanged reuses that key.
    await issue.fill('The printer on floor 3 is jammed again, tray 2.');
    await send.click();
    await expect.poll(() => keys.length, { timeout: 5000 }).toBe(4);
    await page.getByRole('button', { name: 'Send to IT' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Send to IT' }).isEnabled()).toBe(true);
    await send.click();
    await expect.poll(() => keys.length, { timeout: 5000 }).toBe(5);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[3]).toBe(keys[2]);
    expect(keys[4]).toBe(keys[2]);
    await page.close();
  });
});
