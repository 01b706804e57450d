/**
 * A known issue in Debian's Chromium: while someone types about an open incident's problem, the widget shows it
 * first (title, centre, start time; nothing a child wrote), "Me too" asks who they are, records them as affected
 * and subscribes them; /kb lists the open known issues at the top. Against a real helpdesk with the local classifier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { need } from './support/availability.js';
import { chromiumAvailable, formatAxe, launchBrowser, runAxe, type LaunchedBrowser } from './support/chromium.js';
import { startTestServer, type TestServer } from './support/server.js';

const REPORTS = [
  [
    'Abhishek Thakur',
    'VPN not connecting',
    'My VPN will not connect this morning, it gets stuck at Discovering network.',
  ],
  ['Mansi Oak', 'GlobalProtect: gateway not responding', 'GlobalProtect keeps saying the gateway is not responding.'],
  [
    'Shruti Mane',
    'VPN connection failed',
    'VPN connection failed again: unable to establish a secure tunnel with the gateway.',
  ],
] as const;

describe.runIf(need('Chromium', chromiumAvailable()))('a known issue in the widget (Chromium)', () => {
  let s: TestServer;
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
    for (const [name, subject, issue] of REPORTS)
      await s.hd.tickets.create({
        name,
        email: `${name.toLowerCase().replace(' ', '.')}@corp.example`,
        devCenter: 'Pune',
        subject,
        issue,
        channel: 'email',
      });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('shows the matching incident first while typing; "Me too" records the person as affected', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(s.url + '/');
    await page.getByLabel('Development center').selectOption('Pune');
    await page
      .getByLabel('What is the problem?')
      .pressSequentially('my vpn does not connect since this morning', { delay: 5 });
    const meToo = page.getByRole('button', { name: 'Me too: The VPN is not connecting in Pune' });
    await meToo.waitFor({ timeout: 8000 });
    // (Locators reach into the open shadow roots.)
    const section = page.locator('hd-known-issues section');
    const text = (await section.textContent()) ?? '';
    expect(text).toContain("Known issue: The VPN is not connecting in Pune — we're on it");
    expect(text).toMatch(/Pune · since \d{1,2}:\d{2}/);
    // Shown before the articles, and nothing any child wrote or who they are.
    const articles = page.locator('hd-kb-suggestions section');
    if (await articles.count())
      expect((await section.boundingBox())!.y).toBeLessThan((await articles.boundingBox())!.y);
    const whole = (await page.locator('hd-support-widget .card').textContent()) ?? '';
    for (const [name, subject] of REPORTS) {
      for (const shown of [text, whole]) {
        expect(shown).not.toContain(name);
        expect(shown).not.toContain(subject);
      }
    }

    // Without a name and an address it asks for them first.
    await meToo.click();
    await expect.poll(() => page.getByText('Please enter your name.').count()).toBe(1);
    await page.getByLabel('Your name').fill('Pranav Kulkarni');
    await page.getByLabel('Work email').fill('pranav.kulkarni@corp.example');
    await meToo.click();
    const done = page.getByText(/you are recorded as affected \(IT-\d+\)/);
    await done.waitFor({ timeout: 8000 });
    const ref = /\((IT-\d+)\)/.exec((await done.textContent()) ?? '')![1]!;
    const t = (await s.hd.tickets.reads.find(ref))!;
    expect(t.incidentId).toBe(1);
    expect(t.channel).toBe('widget');
    expect((await s.hd.db.models.OutboxMail.findAll({ where: { ticketId: t.id } })).map((m) => m.kind)).toEqual([
      'incident_known',
    ]);
    // The widget now knows this browser's ticket ("My tickets").
    expect(await page.getByRole('button', { name: 'My tickets' }).count()).toBe(1);
    const axe = await runAxe(page);
    expect(axe, formatAxe(axe)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists the open known issue at the top of /kb, and nothing about another centre in the widget', async () => {
    const page = await browser.context.newPage();
    await page.goto(s.url + '/kb');
    const known = page.getByRole('region', { name: 'Known issues we are working on' });
    expect((await known.textContent()) ?? '').toContain('The VPN is not connecting in Pune');
    await page.goto(s.url + '/');
    await page.getByLabel('Development center').selectOption('Austin');
    await page
      .getByLabel('What is the problem?')
      .pressSequentially('my vpn does not connect since this morning', { delay: 5 });
    await expect
      .poll(() => page.getByRole('button', { name: /^This solved it/ }).count(), { timeout: 5000 })
      .toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: /^Me too/ }).count()).toBe(0);
    await page.close();
  });
});
