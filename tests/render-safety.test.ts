/**
 * Text from outside is inserted once and never read again as markup or as a template: placeholders in a ticket
 * multiplied the page (840 characters made a 75 MB page; 1,470 blocked the server for seconds), and a token's
 * stray third part reached form HTML.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const BOMB = '{{thread}}'.repeat(40) + '{{content}}'.repeat(40) + '{{{content}}}${thread}';

describe('rendering never re-scans what it inserted', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({}, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('shows a ticket full of placeholders as the text it is, in the email and on the requester page', async () => {
    const issue = `${BOMB} my laptop fan is loud`;
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Tom {{ref}}', email: 'tom@corp.example', subject: '{{thread}}'.repeat(25), issue },
      })
    ).json();
    expect(t.ref).toMatch(/^IT-/);
    const mails = await s.hd.db.models.OutboxMail.findAll({ where: { ticketId: t.id } });
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) {
      expect(m.html!.length).toBeLessThan(60_000);
      expect(m.html).toContain('{{thread}}{{thread}}');
      expect(m.text).toContain('{{thread}}{{thread}}');
    }
    const link = /https?:\/\/[^\s"]+\/t\/[\w-]+\.[\w-]+/.exec(mails[0]!.text)![0];
    const started = Date.now();
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(body.length).toBeLessThan(60_000);
    expect(body).toContain('{{thread}}{{thread}}');
    expect(body).toContain('{{{content}}}${thread}');
  });

  it('shows a KB entry titled with a placeholder as text on /kb', async () => {
    const e = await s.hd.db.models.KbEntry.findOne({ where: { source: 'template' } });
    await s.hd.kb.update(e!.id, { title: `{{body}}{{{body}}} <b>bold</b> ${e!.title}` });
    const r = await fetch(`${s.url}/kb?q=${encodeURIComponent(e!.title.split(' ').slice(0, 3).join(' '))}`);
    const body = await r.text();
    expect(body).toContain('{{body}}{{{body}}} &lt;b&gt;bold&lt;/b&gt;');
    expect(body.length).toBeLessThan(60_000);
    const article = await (await fetch(`${s.url}/kb/${e!.id}`)).text();
    expect(article).toContain('{{body}}{{{body}}}');
    expect(article).not.toContain('<b>bold</b>');
  });

  it('refuses a link token with more than two parts', async () => {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Uma', email: 'uma@corp.example', issue: 'VPN drops every hour.' },
      })
    ).json();
    const mail = (await s.hd.db.models.OutboxMail.findOne({ where: { ticketId: t.id } }))!;
    const link = /https?:\/\/[^\s"]+\/t\/[\w-]+\.[\w-]+/.exec(mail.text)![0];
    expect((await fetch(link)).status).toBe(200);
    const forged = await fetch(`${link}.%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    expect(forged.status).toBe(403);
    expect(await forged.text()).not.toContain('<script>alert(1)');
    expect((await fetch(`${link}.x/close`)).status).toBe(403);
  });
});
