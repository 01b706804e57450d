/** Agent console over HTTP: magic-link sign-in (single use, expiry, no enumeration), cookie flags, CSRF, roles. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Hono } from 'hono';
import { lastMailId, signInMail, startTestServer, type TestServer } from './support/server.js';
import { createAgents } from '../server/agents/agents.js';
import { createConsoleAuth, hashToken } from '../server/console/auth.js';
import { consoleClient as client, csrfIn } from './support/console.js';

describe('agent console (HTTP)', () => {
  let s: TestServer;
  let ref: string;

  /** Requests a link for `email` and returns the URL path from the queued email. */
  async function requestLink(email: string, waitMs = 5000) {
    const b = client(s.url);
    const form = await (await b.req('/console/login')).text();
    const after = await lastMailId(s.hd);
    const r = await b.req('/console/login', { method: 'POST', form: { email, _csrf: csrfIn(form) } });
    expect(r.status).toBe(200);
    const page = await r.text();
    const mail = await signInMail(s.hd, email, after, waitMs);
    const url = mail ? /https?:\/\/\S+\/console\/login\/[\w-]+/.exec(mail.text)?.[0] : undefined;
    return { b, page, mail, path: url ? new URL(url).pathname : null };
  }

  /** Signs in as `email` and returns the client holding the session. */
  async function signIn(email: string) {
    const { b, path } = await requestLink(email);
    const confirm = await b.req(path!);
    const r = await b.req(path!, { method: 'POST', form: { _csrf: csrfIn(await confirm.text()) } });
    expect(r.status).toBe(303);
    return b;
  }

  beforeAll(async () => {
    s = await startTestServer({}, { jobs: false });
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: {
          name: 'Lee',
          email: 'lee@corp.example',
          devCenter: 'Pune',
          issue: 'The docking station in room 4 does not charge my laptop any more.',
        },
      })
    ).json();
    ref = t.ref;
    await s.hd.db.models.Ticket.update({ route: 'pool', assigneeId: null, status: 'open' }, { where: { id: t.id } });
  });
  afterAll(async () => s?.stop());

  it('emails a single-use magic link, and a GET (a mail scanner) does not consume it', async () => {
    const { b, page, mail, path } = await requestLink('Priya.Raman@corp.example');
    expect(page).toContain('Check your inbox');
    expect(mail?.html).toContain('/console/login/');
    expect(mail?.ticketId).toBeNull();
    for (let i = 0; i < 2; i++) expect((await b.req(path!)).status).toBe(200);
    const confirm = await (await b.req(path!)).text();
    const r = await b.req(path!, { method: 'POST', form: { _csrf: csrfIn(confirm) } });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/console');
    const cookie = b.setCookies.find((c) => c.startsWith('hd_console='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i); // PUBLIC_URL is http in tests
    expect((await b.req('/console/queues/pool')).status).toBe(200);
    // Second use: refused, on GET and on POST.
    expect((await b.req(path!)).status).toBe(410);
    expect((await b.req(path!, { method: 'POST', form: { _csrf: csrfIn(confirm) } })).status).toBe(410);
  });

  it('answers unknown and inactive addresses with the same page and sends nothing', async () => {
    const known = await requestLink('tomasz.nowak@corp.example');
    const unknown = await requestLink('nobody@corp.example', 0);
    const ai = await requestLink('ai-network@helpdesk.localhost', 0);
    // Sign-in requests are handled in order: once a later agent's link is there, the two before it are done.
    expect((await requestLink('tomasz.nowak@corp.example')).mail).not.toBeNull();
    expect(unknown.page.replace(/value="[^"]+"/g, '')).toBe(known.page.replace(/value="[^"]+"/g, ''));
    const none = { kind: 'magic_link', toAddr: ['nobody@corp.example', 'ai-network@helpdesk.localhost'] };
    expect(await s.hd.db.models.OutboxMail.count({ where: none })).toBe(0);
    expect(unknown.mail).toBeNull();
    expect(ai.mail).toBeNull();
  });

  it('refuses expired links and login forms without the pre-session CSRF token', async () => {
    const { b, path } = await requestLink('arjun.mehta@corp.example');
    const token = path!.split('/').pop()!;
    await s.hd.db.consoleModels.LoginToken.update(
      { expiresAt: new Date(Date.now() - 1000) },
      { where: { tokenHash: hashToken(token) } },
    );
    expect((await b.req(path!)).status).toBe(410);
    const other = await requestLink('arjun.mehta@corp.example');
    expect((await other.b.req(other.path!, { method: 'POST', form: { _csrf: 'forged' } })).status).toBe(403);
    expect(
      (await client(s.url).req('/console/login', { method: 'POST', form: { email: 'arjun.mehta@corp.example' } }))
        .status,
    ).toBe(403);
  });

  it('redirects pages to the sign-in without a session and answers API-style requests with 401', async () => {
    const r = await client(s.url).req('/console/queues/pool');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/console/login');
    expect((await client(s.url).req('/console/queues/pool', { headers: { accept: 'application/json' } })).status).toBe(
      401,
    );
    expect(
      (await client(s.url).req(`/console/tickets/${ref}/note`, { method: 'POST', form: { text: 'x' } })).status,
    ).toBe(401);
  });

  it('rejects forms without the session CSRF token (403) and accepts them with it', async () => {
    const b = await signIn('ines.duarte@corp.example');
    const page = await (await b.req(`/console/tickets/${ref}`)).text();
    const csrf = csrfIn(page);
    expect(csrf).not.toBe('');
    expect((await b.req(`/console/tickets/${ref}/note`, { method: 'POST', form: { text: 'no token' } })).status).toBe(
      403,
    );
    expect(
      (
        await b.req(`/console/tickets/${ref}/note`, {
          method: 'POST',
          form: { text: 'wrong token', _csrf: csrf.slice(1) + 'x' },
        })
      ).status,
    ).toBe(403);
    // Another session's token is not valid here either.
    const other = await signIn('kavya.iyer@corp.example');
    const otherCsrf = csrfIn(await (await other.req(`/console/tickets/${ref}`)).text());
    expect(
      (
        await b.req(`/console/tickets/${ref}/note`, {
          method: 'POST',
          form: { text: 'foreign token', _csrf: otherCsrf },
        })
      ).status,
    ).toBe(403);
    expect((await b.req(`/console/tickets/${ref}/take`, { method: 'POST', form: { _csrf: csrf } })).status).toBe(303);
    const r = await b.req(`/console/tickets/${ref}/note`, {
      method: 'POST',
      form: { text: 'checked the dock firmware', _csrf: csrf },
    });
    expect(r.status).toBe(303);
    const notes = await s.hd.db.models.Message.findAll({ where: { internal: true } });
    expect(notes.map((m) => m.text)).toEqual(['checked the dock firmware']);
    const t = await s.hd.db.models.Ticket.findOne({ where: { ref } });
    expect(t?.assigneeId).toBe(
      (await s.hd.db.models.Agent.findOne({ where: { email: 'ines.duarte@corp.example' } }))?.id,
    );
  });

  it('records a triage change as a correction', async () => {
    const b = await signIn('ines.duarte@corp.example');
    const csrf = csrfIn(await (await b.req(`/console/tickets/${ref}`)).text());
    const r = await b.req(`/console/tickets/${ref}/correct`, {
      method: 'POST',
      form: { _csrf: csrf, category: 'Hardware / Device', severity: 'high', urgency: 'medium' },
    });
    expect(r.status).toBe(303);
    const t = await s.hd.db.models.Ticket.findOne({ where: { ref } });
    expect(t).toMatchObject({ corrected: true, severity: 'high', category: 'Hardware / Device' });
    expect(await s.hd.db.models.AuditEvent.count({ where: { ticketId: t!.id, action: 'triage_corrected' } })).toBe(1);
  });

  it('keeps admin pages for admins; managers see every queue but not the admin pages', async () => {
    const agent = await signIn('marcus.hill@corp.example');
    expect((await agent.req('/console/admin/agents')).status).toBe(403);
    expect((await agent.req('/console/admin/outbox')).status).toBe(403);
    const manager = await signIn('helena.costa@corp.example');
    expect((await manager.req('/console/queues/all')).status).toBe(200);
    expect((await manager.req('/console/kb')).status).toBe(200);
    expect((await manager.req('/console/admin/inbound')).status).toBe(403);
    const admin = await signIn('admin@corp.example');
    for (const p of ['/console/admin/agents', '/console/admin/outbox?status=all', '/console/admin/inbound'])
      expect((await admin.req(p)).status).toBe(200);
    // An admin's change of role takes effect on the next request.
    const csrf = csrfIn(await (await admin.req('/console/admin/agents')).text());
    const marcus = (await s.hd.db.models.Agent.findOne({ where: { email: 'marcus.hill@corp.example' } }))!;
    const r = await admin.req(`/console/admin/agents/${marcus.id}`, {
      method: 'POST',
      body: new URLSearchParams([
        ['_csrf', csrf],
        ['role', 'manager'],
        ['active', '1'],
        ['skills', 'Collaboration Tools'],
      ]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(303);
    await marcus.reload();
    expect(marcus).toMatchObject({ role: 'manager', skills: ['Collaboration Tools'], active: true });
    expect((await agent.req('/console/queues/all')).status).toBe(200);
  });

  it('lets admins make, list and revoke read-only analytics links (issue 11, item 8)', async () => {
    const admin = await signIn('admin@corp.example');
    const list = await admin.req('/console/admin/analytics-links');
    expect(list.status).toBe(200);
    const made = await admin.req('/console/admin/analytics-links', {
      method: 'POST',
      form: { _csrf: csrfIn(await list.text()), label: 'Board screen <b>', days: '7' },
    });
    expect(made.status).toBe(200);
    const page = await made.text();
    expect(page).toContain('Board screen &lt;b&gt;');
    const url = /value="(http[^"]+\/analytics\?token=[^"]+)"/.exec(page)![1]!.replace(/&amp;/g, '&');
    const token = new URL(url).searchParams.get('token')!;
    expect((await fetch(url)).status).toBe(200);
    // The token is shown once: the list keeps only its hash.
    const later = await (await admin.req('/console/admin/analytics-links')).text();
    expect(later).not.toContain(token);
    const id = /action="\/console\/admin\/analytics-links\/(\d+)\/revoke"/.exec(later)![1]!;
    const manager = await signIn('helena.costa@corp.example');
    expect((await manager.req('/console/admin/analytics-links')).status).toBe(403);
    const revoked = await admin.req(`/console/admin/analytics-links/${id}/revoke`, {
      method: 'POST',
      form: { _csrf: csrfIn(later) },
    });
    expect(revoked.status).toBe(303);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${s.url}/api/analytics/summary?token=${encodeURIComponent(token)}`)).status).toBe(401);
    expect(await (await admin.req('/console/admin/analytics-links')).text()).toMatch(/revoked<br><small>by /);
    // Not an id: 404, never a 500.
    const bad = await admin.req('/console/admin/analytics-links/1e400/revoke', {
      method: 'POST',
      form: { _csrf: csrfIn(later) },
    });
    expect(bad.status).toBe(404);
  });

  it('offers requireSession/authorize to other rooms (the analytics page allows managers and admins)', async () => {
    const auth = createConsoleAuth({
      agents: createAgents({ models: s.hd.db.models }),
      consoleModels: s.hd.db.consoleModels,
      clock: () => new Date(),
      publicUrl: s.url,
    });
    const app = new Hono();
    app.use('/x', auth.requireSession(['manager', 'admin']));
    app.get('/x', async (c) => c.text((await auth.sessionAgent(c))!.name));
    app.get('/y', async (c) => c.text(String(await auth.authorize(['manager', 'admin'])(c))));
    const call = async (b: ReturnType<typeof client> | null, p: string) =>
      app.request(p, {
        headers: { accept: 'application/json', cookie: b ? [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ') : '' },
      });
    const manager = await signIn('helena.costa@corp.example');
    const agent = await signIn('priya.raman@corp.example');
    expect(await (await call(manager, '/x')).text()).toBe('Helena Costa');
    expect((await call(agent, '/x')).status).toBe(403);
    expect((await call(null, '/x')).status).toBe(401);
    expect(await (await call(manager, '/y')).text()).toBe('true');
    expect(await (await call(agent, '/y')).text()).toBe('false');
  });

  it('sets a Secure cookie when PUBLIC_URL is https, and logout ends the session', async () => {
    const auth = createConsoleAuth({
      agents: createAgents({ models: s.hd.db.models }),
      consoleModels: s.hd.db.consoleModels,
      clock: () => new Date(),
      publicUrl: 'https://helpdesk.example',
    });
    const app = new Hono().get('/', async (c) => {
      await auth.startSession(c, 1);
      return c.text('ok');
    });
    expect((await app.request('/')).headers.get('set-cookie')).toMatch(
      /hd_console=.+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax/,
    );
    const b = await signIn('daniel.ortiz@corp.example');
    const csrf = csrfIn(await (await b.req('/console/queues/mine')).text());
    expect((await b.req('/console/logout', { method: 'POST', form: { _csrf: csrf } })).status).toBe(303);
    expect((await b.req('/console/queues/mine')).status).toBe(303);
  });

  it('shows email HTML sanitized and serves attachments as downloads only', async () => {
    const t = (await s.hd.db.models.Ticket.findOne({ where: { ref } }))!;
    const msg = (await s.hd.db.models.Message.findOne({ where: { ticketId: t.id }, order: [['id', 'ASC']] }))!;
    await msg.update({
      html: '<p>Hi <b>team</b></p><img src=x onerror="window.__xss=1"><script>window.__xss=2</script><a href="javascript:alert(1)">x</a>',
      fullText: 'New text\n\n> old quoted text',
    });
    const a = await s.hd.db.models.Attachment.create({
      messageId: msg.id,
      filename: 'évil".html',
      contentType: 'text/html',
      size: 20,
      contentId: null,
      inline: false,
      content: Buffer.from('<script>alert(1)</script>'),
    });
    const b = await signIn('ravi.shankar@corp.example');
    const r = await b.req(`/console/tickets/${ref}`);
    expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const page = await r.text();
    expect(page).toContain('<b>team</b>');
    expect(page).not.toMatch(/onerror|<script>window|javascript:/);
    expect(page).toContain('old quoted text');
    const dl = await b.req(`/console/attachments/${a.id}`);
    expect(dl.headers.get('content-type')).toBe('application/octet-stream');
    expect(dl.headers.get('content-disposition')).toMatch(
      /^attachment; filename="_vil_.html"; filename\*=UTF-8''%C3%A9vil_.html$/,
    );
    expect(await dl.text()).toBe('<script>alert(1)</script>');
    expect((await client(s.url).req(`/console/attachments/${a.id}`)).status).toBe(303);
  });
});
