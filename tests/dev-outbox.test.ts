/**
 * The dev outbox lists every mail the helpdesk queued, sign-in links included: it must never be an open door to the
 * console. Open without sign-in only with DEV_OUTBOX=true and no SMTP_URL, and even then sign-in mail is for admins.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { lastMailId, signInMail, startTestServer, type TestServer } from './support/server.js';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';

const csrfIn = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

/** Asks for a console sign-in link for `email` the way a browser does; returns the queued mail's id. */
async function requestSignIn(s: TestServer, email: string) {
  const form = await fetch(`${s.url}/console/login`);
  const cookie = form.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const after = await lastMailId(s.hd);
  const r = await fetch(`${s.url}/console/login`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, _csrf: csrfIn(await form.text()) }).toString(),
  });
  expect(r.status).toBe(200);
  const mail = await signInMail(s.hd, email, after);
  expect(mail).not.toBeNull();
  return mail!;
}

describe('dev outbox, default configuration', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ SEED_DEMO: 'true' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('is closed to visitors even in demo mode, and open to the admin token', async () => {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Di', email: 'di@corp.example', issue: 'How can I share my calendar with my team?' },
      })
    ).json();
    expect((await s.api('/dev/outbox')).status).toBe(403);
    const list = await (await s.api('/dev/outbox', { admin: true })).text();
    expect(list).toContain(`[${t.ref}]`);
    const mail = (await s.hd.db.models.OutboxMail.findOne({ where: { ticketId: t.id } }))!;
    expect((await s.api(`/dev/outbox/${mail.id}`)).status).toBe(403);
    const view = await (await s.api(`/dev/outbox/${mail.id}`, { admin: true })).text();
    expect(view).toContain('/feedback/5');
    expect(view).toContain('sandbox=');
  });

  it('cannot be used to sign in as the admin', async () => {
    const mail = await requestSignIn(s, 'admin@corp.example');
    expect((await s.api('/dev/outbox')).status).toBe(403);
    expect((await s.api(`/dev/outbox/${mail.id}`)).status).toBe(403);
  });
});

describe('dev outbox with DEV_OUTBOX=true and no SMTP server', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ DEV_OUTBOX: 'true' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('shows ticket mail to anyone but never a sign-in link', async () => {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Ed', email: 'ed@corp.example', issue: 'How can I share my calendar with my team?' },
      })
    ).json();
    const signIn = await requestSignIn(s, 'admin@corp.example');
    const list = await (await s.api('/dev/outbox')).text();
    expect(list).toContain(`[${t.ref}]`);
    expect(list).not.toContain('sign-in link');
    expect(list).not.toContain(`/dev/outbox/${signIn.id}"`);
    expect((await s.api(`/dev/outbox/${signIn.id}`)).status).toBe(404);
    // The admin still sees it (how a demo admin reads other agents' links).
    expect(await (await s.api(`/dev/outbox/${signIn.id}`, { admin: true })).text()).toContain('/console/login/');
    expect(await (await s.api('/dev/outbox', { admin: true })).text()).toContain('sign-in link');
  });

  it('opens to an admin console session, not to an agent one', async () => {
    const link = async (email: string) => {
      const mail = await requestSignIn(s, email);
      const url = /https?:\/\/\S+\/console\/login\/[\w-]+/.exec(mail.text)![0];
      const confirm = await fetch(url);
      const cookie = confirm.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const r = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrfIn(await confirm.text()) }).toString(),
      });
      expect(r.status).toBe(303);
      return r.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
    };
    const admin = await link('admin@corp.example');
    const agent = await link('priya.raman@corp.example');
    const signIn = (await s.hd.db.models.OutboxMail.findOne({
      where: { kind: 'magic_link' },
      order: [['id', 'DESC']],
    }))!;
    expect((await fetch(`${s.url}/dev/outbox/${signIn.id}`, { headers: { cookie: admin } })).status).toBe(200);
    expect((await fetch(`${s.url}/dev/outbox/${signIn.id}`, { headers: { cookie: agent } })).status).toBe(404);
  });
});

describe('dev outbox with SMTP_URL set', () => {
  let s: TestServer;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await startTestServer({ DEV_OUTBOX: 'true', SEED_DEMO: 'true', SMTP_URL: smtp.url }, { jobs: false });
  });
  afterAll(async () => {
    await s?.stop();
    await smtp?.stop();
  });

  it('stays closed: DEV_OUTBOX only means something without a real mail server', async () => {
    expect((await s.api('/dev/outbox')).status).toBe(403);
    expect((await s.api('/dev/outbox', { admin: true })).status).toBe(200);
  });
});

describe('npm run console:link', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({}, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('prints a one-time sign-in link for an agent (how the first admin gets in without mail)', async () => {
    const { execFileSync } = await import('node:child_process');
    const env = { ...process.env, DATABASE_URL: s.hd.config.databaseUrl, PUBLIC_URL: s.url, LOG_LEVEL: 'silent' };
    const out = execFileSync('npx', ['tsx', 'server/console/cli-link.ts', 'admin@corp.example'], {
      env,
      encoding: 'utf8',
    }).trim();
    expect(out).toMatch(new RegExp(`^${s.url}/console/login/[\\w-]{40,}$`));
    const confirm = await fetch(out);
    expect(confirm.status).toBe(200);
    const cookie = confirm.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const r = await fetch(out, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfIn(await confirm.text()) }).toString(),
    });
    expect(r.status).toBe(303);
    expect(() =>
      execFileSync('npx', ['tsx', 'server/console/cli-link.ts', 'stranger@corp.example'], { env, stdio: 'pipe' }),
    ).toThrow();
  });
});
