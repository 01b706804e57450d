/**
 * Issue 11, item 2, in Chromium: a mail security sandbox (headless Chromium with an Edge user agent and
 * --disable-blink-features=AutomationControlled, so it runs script and navigator.webdriver is false) fetching every
 * link of an AI-answer email within 5 s closes nothing, scores nothing, reopens nothing and makes no KB entry;
 * a person's one emoji click counts, once, after the window; close is reversible from the page that follows.
 * The server's clock is advanced instead of waiting real minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import type { BrowserContext } from 'playwright-core';
import { need } from './support/availability.js';
import { chromiumAvailable, EDGE_UA, launchBrowser, STEALTH, type LaunchedBrowser } from './support/chromium.js';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';
import { startTestServer, type TestServer } from './support/server.js';
import { until } from './support/wait.js';

describe.runIf(need('Chromium', chromiumAvailable(), 'apt-get install -y chromium'))('email links in Chromium', () => {
  let s: TestServer;
  let smtp: SmtpSink;
  let scanner: LaunchedBrowser;
  let person: LaunchedBrowser;
  let offset = 0;
  const minutes = (n: number) => {
    offset += n * 60_000;
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await startTestServer({ SMTP_URL: smtp.url }, { clock: () => new Date(Date.now() + offset) });
    scanner = await launchBrowser(STEALTH);
    // A person's desktop browser (headless here, but without "HeadlessChrome" in its user agent).
    person = await launchBrowser({ userAgent: EDGE_UA.replace(/ Edg\/\S+$/, '') });
  }, 60_000);
  afterAll(async () => {
    await scanner?.close();
    await person?.close();
    await s?.stop();
    await smtp?.stop();
  });

  const { models } = { models: () => s.hd.db.models };
  const ticket = async (id: number) => (await models().Ticket.findByPk(id))!;

  /** The links in the mail of `kind` as the SMTP server received it (after the outbox sent it). */
  async function linksOf(ticketId: number, kind: string): Promise<string[]> {
    const row = await until(
      () => models().OutboxMail.findOne({ where: { ticketId, kind, status: 'sent' } }),
      10_000,
      `the ${kind} mail to be sent`,
    );
    const sent = await until(
      async () => {
        for (const m of smtp.messages) {
          const p = await simpleParser(m.raw);
          if (p.messageId === `<${row.emailMessageId}>`) return p;
        }
        return null;
      },
      5000,
      'the mail at the SMTP server',
    );
    const hrefs = [...String(sent.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    return [...new Set(hrefs.filter((h) => h.startsWith(s.url)))];
  }

  const aiTicket = async (email: string) => {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Rita Gomes', email, issue: 'How do I set an automatic out of office reply in Outlook?' },
      })
    ).json();
    expect(t.route).toBe('ai');
    return t as { id: number; ref: string };
  };

  /** The sandbox: every link, one after another, each page loaded and its script given time to run. */
  async function detonate(ctx: BrowserContext, links: string[]) {
    const started = Date.now();
    const page = await ctx.newPage();
    const texts: string[] = [];
    for (const link of links) {
      await page.goto(link, { waitUntil: 'load' });
      await page.waitForTimeout(100); // time for any script on the page to act
      texts.push((await page.locator('body').textContent()) ?? '');
    }
    expect(
      await page.evaluate(() => (globalThis as unknown as { navigator: { webdriver: boolean } }).navigator.webdriver),
    ).toBe(false);
    await page.close();
    expect(Date.now() - started).toBeLessThan(5000);
    return texts;
  }

  const nothingHappened = async (t: { id: number }, status: string) => {
    minutes(2);
    await s.hd.tickets.settleFeedback();
    expect((await ticket(t.id)).status).toBe(status);
    expect(await models().Feedback.count({ where: { ticketId: t.id } })).toBe(0);
    const actions = (await models().AuditEvent.findAll({ where: { ticketId: t.id } })).map((e) => e.action);
    for (const a of ['close', 'reopen', 'feedback', 'kb_draft']) expect(actions).not.toContain(a);
    expect(await models().KbEntry.count({ where: { sourceTicketId: t.id } })).toBe(0);
  };

  it('a stealth sandbox fetching every link of an AI-answer email seconds after delivery changes nothing', async () => {
    const t = await aiTicket('rita@corp.example');
    const links = await linksOf(t.id, 'ai_answer');
    expect(links.filter((l) => /\/feedback\/\d$/.test(l))).toHaveLength(5);
    expect(links.some((l) => l.endsWith('/close'))).toBe(true);
    const texts = await detonate(scanner.context, links);
    // No page thanks for, or claims, anything that was not recorded.
    for (const text of texts) expect(text).not.toMatch(/thank|recorded:/i);
    await nothingHappened(t, 'waiting_on_user');
  });

  it('a sandbox that comes later is caught by fetching several links of the same email', async () => {
    const t = await aiTicket('rita.two@corp.example');
    const links = await linksOf(t.id, 'ai_answer');
    minutes(3); // well past "seconds after sending": only the several-links rule can tell
    await detonate(scanner.context, links.slice().reverse());
    await nothingHappened(t, 'waiting_on_user');
  });

  it('a sandbox on a resolution email neither reopens nor rates the resolved ticket', async () => {
    const t = await aiTicket('rita.three@corp.example');
    await s.api(`/api/tickets/${t.ref}/resolve`, { method: 'POST', admin: true, json: { resolution: 'Done.' } });
    const links = await linksOf(t.id, 'resolved');
    expect(links.some((l) => l.endsWith('/reopen'))).toBe(true);
    minutes(1);
    await detonate(scanner.context, links);
    await nothingHappened(t, 'resolved');
  });

  it("records a person's one emoji click once the window has passed, and later clicks as usual", async () => {
    const t = await aiTicket('hugo@corp.example');
    const links = await linksOf(t.id, 'ai_answer');
    minutes(5); // the person reads the mail a few minutes later
    const page = await person.context.newPage();
    await page.goto(links.find((l) => l.endsWith('/feedback/4'))!);
    await page.getByRole('heading', { name: /You chose 🙂 4 of 5/ }).waitFor({ timeout: 5000 });
    expect(await page.getByRole('button', { name: 'Rate 4 of 5' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('body').textContent()).not.toMatch(/thank/i);
    expect(await models().Feedback.count({ where: { ticketId: t.id } })).toBe(0); // provisional for now
    minutes(1.1);
    await s.hd.tickets.settleFeedback();
    await s.hd.tickets.settleFeedback(); // idempotent
    expect((await models().Feedback.findAll({ where: { ticketId: t.id } })).map((f) => f.score)).toEqual([4]);
    expect(await models().AuditEvent.count({ where: { ticketId: t.id, action: 'feedback' } })).toBe(1);

    // Days later the person clicks another face in the same email: counts as usual, settled by the next read.
    minutes(60 * 24);
    await page.goto(links.find((l) => l.endsWith('/feedback/2'))!);
    await page.getByRole('heading', { name: /You chose 🙁 2 of 5/ }).waitFor({ timeout: 5000 });
    minutes(1.1);
    await page.goto(links.find((l) => l.endsWith('#comment'))!); // the ticket page: its read settles what is due
    expect((await models().Feedback.findAll({ where: { ticketId: t.id } })).map((f) => f.score)).toEqual([2]);
    await page.close();
  });

  it('lets the person change the face on the page at once, and close and reopen by button only', async () => {
    const t = await aiTicket('ines.p@corp.example');
    const links = await linksOf(t.id, 'ai_answer');
    minutes(5);
    const page = await person.context.newPage();
    await page.goto(links.find((l) => l.endsWith('/feedback/1'))!);
    await page.getByRole('button', { name: 'Rate 5 of 5' }).click();
    await page.getByText('your rating is recorded').waitFor();
    expect((await models().Feedback.findAll({ where: { ticketId: t.id } })).map((f) => f.score)).toEqual([5]);
    minutes(2);
    await s.hd.tickets.settleFeedback(); // the superseded provisional 1 does not come back
    expect((await models().Feedback.findAll({ where: { ticketId: t.id } })).map((f) => f.score)).toEqual([5]);

    minutes(30);
    await page.goto(links.find((l) => l.endsWith('/close'))!);
    const button = page.getByRole('button', { name: 'Close the ticket' });
    expect(
      await button.evaluate(
        (b) => b === (b as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement,
      ),
    ).toBe(true);
    await page.waitForTimeout(300);
    expect((await ticket(t.id)).status).toBe('waiting_on_user'); // the GET alone did nothing
    await button.click();
    await page.getByText('The ticket is closed').waitFor();
    expect((await ticket(t.id)).status).toBe('closed');
    await page.getByRole('button', { name: 'Reopen the ticket' }).click();
    await page.getByText('The ticket is open again').waitFor();
    expect((await ticket(t.id)).status).toBe('open');
    await page.close();
  });
});
