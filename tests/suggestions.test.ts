/**
 * Issue 13, items 2 and 5 over HTTP and real SMTP: a pool or IT-team ticket with a confident match is acknowledged
 * with that one article ("While you wait: this usually fixes it") and a scanner-safe "This solved it" link; a press
 * resolves it as solved by suggestion (counted apart in analytics) and grows the entry's solved count; an AI answer
 * that did not help counts against its entry for that kind of request.
 */
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';
import { startTestServer, type TestServer } from './support/server.js';
import { until } from './support/wait.js';

const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
/** Routed to the pool (medium severity), with a confident match: the laptop article. */
const DEAD_LAPTOP =
  "My laptop won't turn on this morning, the power button does nothing and I have a presentation at 2pm.";
/** Low and low: the AI agent answers with the VPN-drops article. */
const VPN_DROPS = 'How do I stop my VPN from disconnecting every few minutes when I work from home?';

describe('suggestions in the acknowledgment, and what the knowledge base learns', () => {
  let smtp: SmtpSink;
  let s: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await startTestServer({ SMTP_URL: smtp.url, WIDGET_RATE_LIMIT: '0' });
  });
  afterAll(async () => {
    await s?.stop();
    await smtp?.stop();
  });
  const models = () => s.hd.db.models;
  const create = async (email: string, issue: string) => {
    const r = await s.api('/api/tickets', { method: 'POST', json: { name: 'Noor Haddad', email, issue } });
    expect(r.status).toBe(201);
    return r.json();
  };
  /** The acknowledgment as the SMTP server received it, parsed. */
  const received = async (ref: string) => {
    const m = await until(
      async () => {
        for (const x of smtp.messages) {
          const p = await simpleParser(x.raw);
          if (p.subject?.includes(ref)) return p;
        }
        return null;
      },
      8000,
      `the acknowledgment of ${ref}`,
    );
    return m;
  };

  it('acknowledges a pool ticket with the one article and a "This solved it" link (real SMTP)', async () => {
    const t = await create('noor@corp.example', DEAD_LAPTOP);
    expect(t.route).toBe('pool');
    expect(t.answer).toBeUndefined();
    const laptop = (await models().KbEntry.findOne({ where: { issue: 'laptop-wont-power-on', source: 'template' } }))!;
    expect(t.suggestion).toEqual({ id: laptop.id, title: laptop.title });
    const mail = await received(t.ref);
    expect(mail.text).toContain('While you wait: this usually fixes it');
    expect(mail.text).toContain(laptop.title);
    expect(mail.text).toContain(laptop.resolution.split('\n')[0]!.trim());
    expect(mail.html).toContain('This solved it');
    expect(String(mail.html)).toMatch(/href="[^"]+\/t\/[^"]+\/solved"/);
    // The admin ticket view records it in `triage`, with the plan and its evidence.
    const admin = await (await s.api(`/api/tickets/${t.ref}`, { admin: true })).json();
    expect(admin.triage.suggestion).toEqual({ id: laptop.id, title: laptop.title });
    expect(admin.triage.answer).toMatchObject({ kind: 'suggest', entry: { id: laptop.id } });
    expect(admin.triage.answer.evidence).toMatchObject({ decision: 'suggest', failed: null });
  });

  it('gives no article when the match is not confident', async () => {
    const t = await create('kai@corp.example', 'Where can I find the menu of the canteen for next week?');
    expect(t.suggestion).toBeUndefined();
    const mail = await received(t.ref);
    expect(mail.text).not.toContain('While you wait');
    expect(String(mail.html)).not.toContain('/solved');
  });

  it('resolves only on the POST of "This solved it", never on a GET, and counts it apart', async () => {
    const t = await create('ines@corp.example', DEAD_LAPTOP);
    const mail = await received(t.ref);
    const solvedUrl = String(mail.html)
      .match(/href="([^"]+\/solved)"/)![1]!
      .replace(/&amp;/g, '&');
    const entryId = t.suggestion.id;
    const before = (await models().KbEntry.findByPk(entryId))!.solved;
    // Scanners (and a person's first click) only get a page with one button.
    for (const ua of [BROWSER, 'Mozilla/5.0 (compatible; Mimecast Safe Links)']) {
      const page = await fetch(solvedUrl, { headers: { 'user-agent': ua } });
      expect(page.status).toBe(200);
      const body = await page.text();
      expect(body).toContain('Yes, this solved it');
      expect(body).toContain('Did “Laptop won&#39;t turn on / black screen / not booting” solve it?');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'none'");
    }
    expect((await models().Ticket.findByPk(t.id))!.status).toBe('open');
    // No CSRF token: refused, nothing changes.
    const forged = await fetch(solvedUrl, { method: 'POST', redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect((await models().Ticket.findByPk(t.id))!.status).toBe('open');
    // The person presses the button.
    const form = await (await fetch(solvedUrl, { headers: { 'user-agent': BROWSER } })).text();
    const csrf = form.match(/name="csrf" value="([^"]+)"/)![1]!;
    const post = await fetch(solvedUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': BROWSER },
      body: new URLSearchParams({ csrf }),
    });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toMatch(/\?m=solved$/);
    const after = (await models().Ticket.findByPk(t.id))!;
    expect(after).toMatchObject({ status: 'resolved', resolvedBy: 'suggestion' });
    expect(after.resolution).toContain(t.suggestion.title);
    const page = await (await fetch(new URL(post.headers.get('location')!, solvedUrl))).text();
    expect(page).toContain('Glad it helped');
    // The entry learnt it worked, once for this ticket however often the button is pressed.
    expect((await models().KbEntry.findByPk(entryId))!.solved).toBe(before + 1);
    const again = await fetch(solvedUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }),
    });
    expect(again.headers.get('location')).toMatch(/\?m=already_resolved$/);
    expect((await models().KbEntry.findByPk(entryId))!.solved).toBe(before + 1);
    const kinds = (await models().KbOutcome.findAll({ where: { kbEntryId: entryId } })).map((o) => [o.kind, o.solved]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['issue:laptop-wont-power-on', expect.any(Number)],
        ['category:Hardware / Device', expect.any(Number)],
      ]),
    );
    // Analytics counts it apart from the AI agent and the IT team.
    const summary = await (await s.api('/api/analytics/summary', { admin: true })).json();
    expect(summary.resolvedBy.suggestion).toBeGreaterThanOrEqual(1);
  });

  it('lets the widget confirm it with the requester token, and a closing reply does too', async () => {
    const t = await create('li@corp.example', DEAD_LAPTOP);
    const auth = { authorization: `Bearer ${t.requesterToken}` };
    const view = await (await s.api(`/api/my/tickets/${t.ref}`, { headers: auth })).json();
    expect(view.suggestion).toEqual(t.suggestion);
    const r = await s.api(`/api/my/tickets/${t.ref}/solved`, { method: 'POST', headers: auth, json: {} });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'resolved', alreadyResolved: false });
    expect((await models().Ticket.findByPk(t.id))!.resolvedBy).toBe('suggestion');

    // "Thanks, that fixed it" before anyone replied: the suggested article did it.
    const u = await create('li@corp.example', DEAD_LAPTOP);
    const auth2 = { authorization: `Bearer ${u.requesterToken}` };
    await s.api(`/api/my/tickets/${u.ref}/comment`, {
      method: 'POST',
      headers: auth2,
      json: { text: 'Thanks, the steps in the article fixed it, all good now!' },
    });
    expect(await models().Ticket.findByPk(u.id)).toMatchObject({ status: 'resolved', resolvedBy: 'suggestion' });

    // A ticket without a suggestion has nothing to confirm.
    const v = await create('li@corp.example', 'Where can I find the menu of the canteen for next week?');
    const auth3 = { authorization: `Bearer ${v.requesterToken}` };
    const no = await s.api(`/api/my/tickets/${v.ref}/solved`, { method: 'POST', headers: auth3, json: {} });
    expect(no.status).toBe(409);
  });

  it('counts "it did not help" against the entry for that kind of request, and stops offering it there', async () => {
    const first = await create('ola@corp.example', VPN_DROPS);
    expect(first.route).toBe('ai');
    const entryId = (await models().KbEntry.findOne({ where: { issue: 'vpn-drops', source: 'template' } }))!.id;
    for (const who of ['ola', 'per', 'ana']) {
      const t = who === 'ola' ? first : await create(`${who}@corp.example`, VPN_DROPS);
      if (t.route !== 'ai') break; // the record already stopped it
      await s.api(`/api/my/tickets/${t.ref}/comment`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.requesterToken}` },
        json: { text: 'That did not help, it still keeps disconnecting.' },
      });
      expect(await models().Ticket.findByPk(t.id)).toMatchObject({ route: expect.stringMatching(/pool|it_team/) });
    }
    const o = await models().KbOutcome.findOne({ where: { kbEntryId: entryId, kind: 'issue:vpn-drops' } });
    expect(o?.failed).toBeGreaterThanOrEqual(2);
    const next = await create('eva@corp.example', VPN_DROPS);
    expect(next.route).not.toBe('ai');
    expect(next.suggestion).toBeUndefined();
    const admin = await (await s.api(`/api/tickets/${next.ref}`, { admin: true })).json();
    expect(admin.triage.answer.evidence.failed).toBe('record');
    expect(admin.triage.answer.reason).toMatch(/did not help requesters with this kind of request/);
  });
});
