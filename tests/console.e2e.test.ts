/**
 * The agent console in Chromium: sign in with the magic link from the queued email, take a pool ticket, reply,
 * resolve; another agent on the same ticket shows up as a hint; script in an email body never runs; no CSP
 * violations or script errors on the way. Screenshots are kept in test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { need } from './support/availability.js';
import { chromiumAvailable, launchBrowser, saveScreenshot, type LaunchedBrowser } from './support/chromium.js';
import { signInMail, startTestServer, type TestServer } from './support/server.js';

const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const xssFlag = (page: Page) => page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss);

describe.runIf(need('Chromium', chromiumAvailable(), 'apt-get install -y chromium'))(
  'agent console in Chromium',
  () => {
    let s: TestServer;
    let browser: LaunchedBrowser;
    let ref: string;
    let ticketId: number;

    beforeAll(async () => {
      s = await startTestServer({}, { jobs: false });
      browser = await launchBrowser();
      const t = await (
        await s.api('/api/tickets', {
          method: 'POST',
          json: {
            name: 'Mia Chen',
            email: 'mia.chen@corp.example',
            devCenter: 'Lisbon',
            issue: `The plotter on floor 2 shows error 0x41 and prints nothing. ${XSS}`,
          },
        })
      ).json();
      ref = t.ref;
      ticketId = t.id;
      // Whatever triage decided, this ticket waits in the pool, and its email carried hostile HTML.
      await s.hd.db.models.Ticket.update(
        { route: 'pool', assigneeId: null, status: 'open' },
        { where: { id: ticketId } },
      );
      await s.hd.db.models.Message.update(
        {
          html: `<p>The plotter <b>still</b> fails.</p>${XSS}`,
          fullText: 'The plotter fails.\n\nOn Monday IT wrote:\n> Did you restart it?',
        },
        { where: { ticketId } },
      );
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await s?.stop();
    });

    /** The sign-in link from the newest magic_link email in the outbox. */
    async function linkFor(email: string) {
      // Sign-in mails are queued a moment after the form answers; the newest one is the link just requested.
      const mail = await signInMail(s.hd, email, 0);
      expect(mail?.html).toContain('/console/login/');
      return /https?:\/\/\S+\/console\/login\/[\w-]+/.exec(mail!.text)![0];
    }

    it('signs in by magic link, takes a pool ticket, replies and resolves it', async () => {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));

      await page.goto(`${s.url}/console/queues/pool`);
      expect(new URL(page.url()).pathname).toBe('/console/login');
      await page.fill('input[name=email]', 'kavya.iyer@corp.example');
      await Promise.all([page.waitForURL('**/console/login'), page.click('button[type=submit]')]);
      await expect(page.textContent('h1')).resolves.toBe('Check your inbox');

      await page.goto(await linkFor('kavya.iyer@corp.example'));
      await Promise.all([page.waitForURL('**/console/queues/pool'), page.click('button:has-text("Sign in")')]);
      expect(await page.textContent('.tab.current .count')).toBe('1');
      await Promise.all([page.waitForURL(`**/console/tickets/${ref}`), page.click(`a:has-text("${ref}")`)]);

      // The hostile HTML is shown only sanitized, also once the formatted email is opened.
      await page.click('details.email-html summary');
      await page.click('details.history summary');
      expect(await page.textContent('.html-body')).toContain('still');
      expect(await page.locator('.html-body img, .html-body script').count()).toBe(0);
      expect(await page.textContent('.msg .text')).toContain('<script>window.__xss=2</script>'); // shown as text
      expect(await xssFlag(page)).toBeUndefined();

      await Promise.all([page.waitForURL('**?m=take'), page.click('button:has-text("Take it")')]);
      expect(await page.textContent('.flash')).toBe('The ticket is yours.');
      await page.fill('textarea[name=text]#reply', 'Please power-cycle the plotter and send me a photo of the panel.');
      await Promise.all([page.waitForURL('**?m=reply'), page.click('button:has-text("Send reply")')]);
      expect(await page.textContent('.flash')).toBe('Reply sent to the requester.');
      expect(await page.textContent('.thread')).toContain('power-cycle the plotter');

      await page.fill('textarea[name=resolution]', 'Replaced the plotter fuser unit; test page prints fine.');
      await Promise.all([page.waitForURL('**?m=resolve'), page.click('button:has-text("Resolve")')]);
      expect(await page.textContent('.status')).toBe('resolved');
      await saveScreenshot(page, 'console-ticket-resolved');

      const t = (await s.hd.db.models.Ticket.findByPk(ticketId))!;
      const kavya = (await s.hd.db.models.Agent.findOne({ where: { email: 'kavya.iyer@corp.example' } }))!;
      expect(t).toMatchObject({
        status: 'resolved',
        assigneeId: kavya.id,
        resolvedBy: 'it_team',
        resolution: 'Replaced the plotter fuser unit; test page prints fine.',
      });
      const kinds = (await s.hd.db.models.OutboxMail.findAll({ where: { ticketId } })).map((m) => m.kind);
      expect(kinds).toEqual(expect.arrayContaining(['agent_reply', 'resolved']));
      expect(await xssFlag(page)).toBeUndefined();
      expect(problems).toEqual([]);
      await page.close();
    });

    it('hints that another agent is viewing the same ticket', async () => {
      // Marcus looks at the ticket from another browser (plain HTTP with his own session).
      const form = await fetch(`${s.url}/console/login`);
      const pre = form.headers.getSetCookie()[0]!.split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      await fetch(`${s.url}/console/login`, {
        method: 'POST',
        headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: 'marcus.hill@corp.example', _csrf: csrf }),
      });
      const signIn = await fetch(await linkFor('marcus.hill@corp.example'), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf }),
      });
      const session = signIn.headers
        .getSetCookie()
        .find((c) => c.startsWith('hd_console='))!
        .split(';')[0]!;
      expect((await fetch(`${s.url}/console/tickets/${ref}`, { headers: { cookie: session } })).status).toBe(200);

      const page = await browser.context.newPage();
      await page.goto(`${s.url}/console/tickets/${ref}`);
      expect(await page.textContent('.presence')).toBe('Also viewing this ticket: Marcus Hill');
      expect(await xssFlag(page)).toBeUndefined();
      await saveScreenshot(page, 'console-presence');
      await page.close();
    });
  },
);
