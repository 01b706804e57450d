/** The widget's and the requester's HTTP surface without a browser: mail-scanner safety, rate limits, CORS, token scope. */
import { gzipSync } from 'node:zlib';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from './support/server.js';

const SCANNERS = [
  'Mozilla/5.0 (compatible; Mimecast Safe Links)',
  'Microsoft Office Protocol Discoverer',
  'Proofpoint URL Defense',
  'Barracuda Sentinel (EE)',
  '',
];
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const formOf = (html: string) => ({
  action: /<form[^>]+action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&'),
  csrf: /name="csrf" value="([^"]+)"/.exec(html)![1]!,
});

describe('widget and requester HTTP', () => {
  let s: TestServer;
  const create = async (email: string, issue = 'How do I set an automatic out of office reply in Outlook?') =>
    (
      await s.api('/api/tickets', { method: 'POST', json: { name: 'Pat Doe', email, devCenter: 'Pune', issue } })
    ).json();
  const post = (url: string, form: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'user-agent': BROWSER },
      body: new URLSearchParams(form),
    });

  beforeAll(async () => {
    s = await startTestServer(
      { WIDGET_CLOSE_DELAY_SECONDS: '1', WIDGET_RATE_LIMIT: '0', WIDGET_ORIGINS: 'https://intranet.example' },
      { jobs: false },
    );
  });
  afterAll(async () => s?.stop());

  it('serves widget.js small, cacheable, loadable cross-origin and without secrets', async () => {
    const r = await s.api('/widget.js');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/javascript/);
    expect(r.headers.get('cache-control')).toMatch(/max-age/);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const body = await r.text();
    expect(gzipSync(body).length).toBeLessThan(20 * 1024);
    expect(body).not.toContain('test-secret-0123456789abcdef');
    expect(body).not.toContain(TEST_ADMIN_TOKEN);
    const again = await s.api('/widget.js', { headers: { 'if-none-match': r.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const home = await (await s.api('/')).text();
    expect(home).toContain('<hd-support-widget');
    expect(home.match(/<script/g)).toHaveLength(1);
    expect((await (await s.api('/api/dev-centers')).json()).devCenters).toContain('Kraków');
    expect(await (await s.api('/api/widget/config')).json()).toMatchObject({ closeDelaySeconds: 1 });
  });

  it('lets a scanner fetch every link of the AI-answer email (GET and HEAD) without closing or rating anything', async () => {
    const t = await create('scanned@corp.example');
    expect(t.route).toBe('ai');
    const mail = (await s.hd.db.models.OutboxMail.findAll({ where: { ticketId: t.id, kind: 'ai_answer' } }))[0]!;
    const links = hrefs(mail.html!).filter((h) => h.startsWith(s.url));
    expect(links.some((l) => l.endsWith('/close'))).toBe(true);
    expect(links.filter((l) => /\/feedback\/\d$/.test(l))).toHaveLength(5);
    for (const link of links) {
      for (const ua of SCANNERS) {
        const r = await fetch(link, { headers: { 'user-agent': ua } });
        expect(r.status).toBe(200);
        expect(await r.text()).not.toContain('<script');
        expect((await fetch(link, { method: 'HEAD', headers: { 'user-agent': ua } })).status).toBe(200);
      }
      // Issue 11, item 2: no page submits itself any more, not even for a browser; its GET changes nothing now.
      const page = await (await fetch(link, { headers: { 'user-agent': BROWSER } })).text();
      expect(page).not.toContain('<script');
    }
    await s.hd.tickets.settleFeedback();
    expect(await s.hd.db.models.Feedback.count({ where: { ticketId: t.id } })).toBe(0);
    expect((await s.hd.db.models.Ticket.findByPk(t.id))!.status).toBe('waiting_on_user');

    // The confirmation POST does it; again is harmless; a later rating replaces the earlier one.
    const closeLink = links.find((l) => l.endsWith('/close'))!;
    const confirm = formOf(await (await fetch(closeLink, { headers: { 'user-agent': BROWSER } })).text());
    expect((await post(s.url + confirm.action, { csrf: 'forged' })).status).toBe(403);
    expect((await s.hd.db.models.Ticket.findByPk(t.id))!.status).toBe('waiting_on_user');
    let r = await post(s.url + confirm.action, { csrf: confirm.csrf });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toMatch(/\?m=closed$/);
    expect((await s.hd.db.models.Ticket.findByPk(t.id))!.status).toBe('closed');
    r = await post(s.url + confirm.action, { csrf: confirm.csrf });
    expect(r.headers.get('location')).toMatch(/\?m=already_closed$/);
    expect(await (await fetch(closeLink, { headers: { 'user-agent': BROWSER } })).text()).toContain('already closed');

    for (const score of [4, 2]) {
      const f = formOf(
        await (
          await fetch(links.find((l) => l.endsWith(`/feedback/${score}`))!, { headers: { 'user-agent': BROWSER } })
        ).text(),
      );
      expect((await post(s.url + f.action, { csrf: f.csrf, score: String(score) })).status).toBe(303);
      expect((await post(s.url + f.action, { csrf: f.csrf, score: String(score) })).status).toBe(303);
    }
    const fb = await s.hd.db.models.Feedback.findAll({ where: { ticketId: t.id } });
    expect(fb.map((f) => f.score)).toEqual([2]);
    const view = await (
      await fetch(links.find((l) => /\/t\/[^/]+$/.test(l))!, { headers: { 'user-agent': BROWSER } })
    ).text();
    expect(view).toContain('Reopen the ticket');
    expect(view).toContain('aria-pressed="true" aria-label="Rate 2 of 5"');
  });

  it('renders a friendly page for a tampered link', async () => {
    const r = await fetch(`${s.url}/t/not.a-token/close`);
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('This link is not valid');
  });

  it('allows CORS only for WIDGET_ORIGINS and the helpdesk itself', async () => {
    const pre = (origin: string) =>
      s.api('/api/tickets', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    expect((await pre('https://intranet.example')).headers.get('access-control-allow-origin')).toBe(
      'https://intranet.example',
    );
    expect((await pre(s.url)).headers.get('access-control-allow-origin')).toBe(s.url);
    expect((await pre('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const get = await s.api('/api/dev-centers', { headers: { origin: 'https://evil.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('scopes the requester token to its own email and drives comment, close and feedback', async () => {
    const mine = await create('alice@corp.example');
    const theirs = await create('bob@corp.example', 'My laptop battery drains in two hours since the last update.');
    const auth = (tok: string) => ({ authorization: `Bearer ${tok}` });
    const a = mine.requesterToken as string;
    expect((await s.api(`/api/my/tickets/${theirs.ref}`, { headers: auth(a) })).status).toBe(404);
    expect((await s.api(`/api/my/tickets/${theirs.ref}/close`, { method: 'POST', headers: auth(a) })).status).toBe(404);
    expect((await s.api('/api/my/tickets')).status).toBe(401);
    const forged = a.replace(/\.(.)/, (_, ch: string) => '.' + (ch === 'A' ? 'B' : 'A'));
    expect((await s.api('/api/my/tickets', { headers: auth(forged) })).status).toBe(403);
    // A ticket link token is not a requester token.
    const link = s.hd.signer.sign({ t: theirs.id, a: 'ticket', e: 'alice@corp.example' });
    expect((await s.api('/api/my/tickets', { headers: auth(link) })).status).toBe(403);
    const list = await (await s.api('/api/my/tickets', { headers: auth(a) })).json();
    expect(list.tickets.map((t: { ref: string }) => t.ref)).toEqual([mine.ref]);

    // The IT team's internal note on this very ticket: the requester's view leaves it out. The admin view shows it
    // (the control): without a note on the ticket, "no internal message shown" would pass with the filter gone.
    const note = 'Internal: call her manager before resetting anything.';
    await s.hd.tickets.comment(mine.ref, { authorKind: 'agent', text: note, internal: true }, 'agent:test');
    const full = await (
      await s.api(`/api/tickets/${mine.ref}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })
    ).json();
    expect(full.messages.filter((m: { internal: boolean }) => m.internal).map((m: { text: string }) => m.text)).toEqual(
      [note],
    );
    const r = await s.api(`/api/my/tickets/${mine.ref}`, { headers: auth(a) });
    const etag = r.headers.get('etag')!;
    const seen = (await r.json()).messages as { internal: boolean; text: string }[];
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((m) => m.internal || m.text.includes(note))).toEqual([]);
    // The requester's page behind the email links shows the thread without the note too.
    const page = await (
      await fetch(`${s.url}/t/${s.hd.signer.sign({ t: mine.id, a: 'ticket', e: 'alice@corp.example' })}`)
    ).text();
    expect(page).toContain(seen[0]!.text.slice(0, 40));
    expect(page).not.toContain('call her manager');
    expect(
      (await s.api(`/api/my/tickets/${mine.ref}`, { headers: { ...auth(a), 'if-none-match': etag } })).status,
    ).toBe(304);
    const c = await s.api(`/api/my/tickets/${mine.ref}/comment`, {
      method: 'POST',
      headers: auth(a),
      json: { text: 'Where is that setting on a Mac?' },
    });
    expect(c.status).toBe(201);
    expect((await c.json()).messages.at(-1).authorKind).toBe('requester');
    expect(
      (await (await s.api(`/api/my/tickets/${mine.ref}/close`, { method: 'POST', headers: auth(a) })).json()).status,
    ).toBe('closed');
    expect(
      (await (await s.api(`/api/my/tickets/${mine.ref}/close`, { method: 'POST', headers: auth(a) })).json())
        .alreadyClosed,
    ).toBe(true);
    const f = await (
      await s.api(`/api/my/tickets/${mine.ref}/feedback`, { method: 'POST', headers: auth(a), json: { score: 5 } })
    ).json();
    expect(f.feedback.score).toBe(5);
  });
});

describe('widget rate limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '2' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('answers 429 beyond WIDGET_RATE_LIMIT per hour and stores nothing more', async () => {
    const send = (email: string) =>
      s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Q', email, issue: 'How can I share my calendar with my team?' },
      });
    expect((await send('q1@corp.example')).status).toBe(201);
    expect((await send('q1@corp.example')).status).toBe(201);
    const over = await send('q2@corp.example');
    expect(over.status).toBe(429);
    expect((await over.json()).error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('limit 2'),
    });
    expect(await s.hd.db.models.Ticket.count()).toBe(2);
    // Integrations with the admin token are not limited.
    expect(
      (
        await s.api('/api/tickets', {
          method: 'POST',
          admin: true,
          json: { name: 'Q', email: 'q3@corp.example', issue: 'How can I share my calendar?' },
        })
      ).status,
    ).toBe(201);
  });
});
