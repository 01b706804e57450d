/**
 * Hostile text in every field a requester controls (subject, body, name, development centre, attachment name)
 * never runs as script in the console, the widget or the analytics page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from './support/availability.js';
import { chromiumAvailable, launchBrowser, type LaunchedBrowser } from './support/chromium.js';
import { signInMail, startTestServer, type TestServer } from './support/server.js';

const P = (n: number) =>
  `"><img src=x onerror="window.__xss=${n}"><script>window.__xss=${n}</script><svg onload="window.__xss=${n}">`;
const flag = (page: Page) => page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss);

describe.runIf(need('Chromium', chromiumAvailable(), 'apt-get install -y chromium'))('XSS payloads stay text', () => {
  let s: TestServer;
  let browser: LaunchedBrowser;
  let ref = '';

  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
    browser = await launchBrowser();
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: {
          name: `Mal ${P(1)}`,
          email: 'mal@corp.example',
          devCenter: 'Pune',
          subject: `Printer ${P(3)}`,
          issue: `Printer jams ${P(4)}`,
        },
      })
    ).json();
    ref = t.ref;
    // The API now refuses free-text centres (issue 11, item 11); one planted in the database must still stay text.
    await s.hd.db.models.Ticket.update(
      { route: 'pool', assigneeId: null, status: 'open', devCenter: `Pune<img src=x onerror=window.__xss=2>` },
      { where: { id: t.id } },
    );
    // An emailed ticket with a hostile attachment name and HTML body.
    const raw =
      `From: Mal <mal2@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: scan ${P(5)}\r\nMessage-ID: <xss1@corp.example>\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>${P(6)}\r\n--b\r\nContent-Type: application/pdf; name="x.pdf"\r\n` +
      `Content-Disposition: attachment; filename="${P(7).replace(/"/g, "'")}.pdf"\r\n\r\n%PDF-1.4\r\n--b--\r\n`;
    await s.inbound(raw);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('in the console queue and ticket views', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${s.url}/console/login`);
    await page.fill('input[name=email]', 'admin@corp.example');
    await Promise.all([page.waitForURL('**/console/login'), page.click('button[type=submit]')]);
    const mail = await signInMail(s.hd, 'admin@corp.example', 0);
    await page.goto(/https?:\/\/\S+\/console\/login\/[\w-]+/.exec(mail!.text)![0]);
    await Promise.all([page.waitForURL('**/console/queues/**'), page.click('button:has-text("Sign in")')]);
    await page.goto(`${s.url}/console/queues/all`);
    expect(await page.content()).toContain('Printer');
    const emailed = await s.hd.db.models.Ticket.findOne({ where: { channel: 'email' } });
    for (const r of [ref, emailed!.ref!]) {
      await page.goto(`${s.url}/console/tickets/${r}`);
      await page.locator('details').evaluateAll((els) => {
        for (const d of els) d.setAttribute('open', '');
      });
      await page.waitForTimeout(200);
    }
    expect(await page.content()).toContain('.pdf');
    expect(await flag(page)).toBeUndefined();
  });

  it('in the widget', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${s.url}/`);
    await page.getByLabel('Your name').fill(`Mal ${P(8)}`.slice(0, 190));
    await page.getByLabel('Work email').fill('mal3@corp.example');
    await page.getByLabel('Development center').selectOption('Lisbon');
    await page.getByLabel('What is the problem?').fill(`Printer jams again ${P(9)}`);
    await page.getByRole('button', { name: 'Send to IT' }).click();
    await page.getByRole('heading', { name: /^Ticket IT-\d+$/ }).waitFor({ timeout: 10_000 });
    // "My tickets" shows the subject, which carries the payload.
    await page
      .getByRole('button', { name: 'My tickets' })
      .or(page.getByRole('link', { name: 'My tickets' }))
      .first()
      .click();
    await page.getByText('Printer jams again', { exact: false }).first().waitFor({ timeout: 10_000 });
    expect(await flag(page)).toBeUndefined();
  });

  it('on the analytics page', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${s.url}/analytics?token=${encodeURIComponent(s.hd.signer.sign({ t: 0, a: 'analytics' }, 1))}`);
    await page.waitForTimeout(2500);
    expect(await page.locator('select[name=devCenter] option').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('onerror')]),
    );
    expect(await flag(page)).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
