/**
 * MAIL_AUTH=oauth2 against real servers: Dovecot whose only way in for the mailbox user is its oauth2 passdb
 * (introspection at a token server the test runs on loopback), and smtp-server requiring XOAUTH2. Tokens live
 * 4 seconds, so expiry, renewal, revocation and a token server outage all happen within the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { need } from './support/availability.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './support/dovecot.js';
import { startOAuthServer, type OAuthServer } from './support/oauth-server.js';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';
import { startTestServer, type TestServer } from './support/server.js';
import { sleep, until } from './support/wait.js';

const mail = (id: string, subject: string, body: string) =>
  `From: Ola Berg <ola@corp.example>\r\nTo: helpdesk@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\n` +
  `Date: ${new Date().toUTCString()}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;

describe.runIf(need('Dovecot', dovecotAvailable(), 'apt-get install dovecot-imapd'))('mailbox with OAuth2', () => {
  let o: OAuthServer;
  let imap: Dovecot;
  let smtp: SmtpSink;
  let s: TestServer;
  const lines: string[] = [];
  const logText = () => lines.join('');

  beforeAll(async () => {
    o = await startOAuthServer({ lifetimeS: 4 });
    imap = await startDovecot({ oauth2: { introspectionUrl: o.introspectionUrl } });
    smtp = await startSmtpServer({ xoauth2: (user, token) => user === o.username && o.active(token) });
    const log = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    s = await startTestServer(
      {
        MAIL_AUTH: 'oauth2',
        OAUTH_TOKEN_URL: o.tokenUrl,
        OAUTH_CLIENT_ID: o.clientId,
        OAUTH_CLIENT_SECRET: o.clientSecret,
        OAUTH_SCOPE: 'https://outlook.office365.com/.default',
        IMAP_URL: imap.url,
        SMTP_URL: `smtp://${encodeURIComponent(o.username)}@127.0.0.1:${smtp.port}`,
        IMAP_POLL_SECONDS: '30',
        MAIL_FROM: 'IT Helpdesk <helpdesk@example.test>',
      },
      { log },
    );
  });
  afterAll(async () => {
    if (process.env.OAUTH_TEST_LOG) {
      (await import('node:fs')).writeFileSync(process.env.OAUTH_TEST_LOG, logText());
      (await import('node:fs')).writeFileSync(process.env.OAUTH_TEST_LOG + '.dovecot', imap.log());
    }
    await s?.stop();
    await smtp?.stop();
    await imap?.stop();
    await o?.stop();
  });

  const ticketFor = (id: string, ms = 10_000) =>
    until(
      async () => {
        const m = await s.hd.db.models.Message.findOne({ where: { emailMessageId: id } });
        const t = m ? await s.hd.db.models.Ticket.findByPk(m.ticketId) : null;
        return t && t.status !== 'new' ? t : null;
      },
      ms,
      `a triaged ticket for ${id}`,
    );
  const health = async () => (await s.api('/healthz')).json();
  const sentTo = (to: string) => smtp.messages.filter((m) => m.envelope.to.includes(to)).length;

  it('signs in to IMAP and SMTP with a token from the token endpoint, and never logs a secret', async () => {
    await imap.append(mail('oa-1@corp.example', 'vpn drops', 'My VPN drops every ten minutes since Monday.'));
    const t = await ticketFor('oa-1@corp.example');
    expect(t.channel).toBe('email');
    await smtp.waitFor(1, 8000);
    const signIn = smtp.auths.find((a) => a.ok)!;
    expect(signIn.user).toBe(o.username);
    expect(o.issued).toContain(signIn.token);
    expect(o.requests.length).toBeGreaterThan(0); // (every() of nothing is true)
    expect(o.requests.filter((r) => r.grant !== 'client_credentials')).toEqual([]);
    expect(imap.log()).toMatch(/Login: user=<helpdesk@example\.test>, method=(XOAUTH2|OAUTHBEARER)/);

    const h = await health();
    expect(h.imap).toMatchObject({ state: 'connected', auth: 'oauth2', error: null });
    expect(h.imap.tokenExpiresIn).toBeGreaterThan(0);
    expect(h.imap.tokenExpiresIn).toBeLessThanOrEqual(4);
    expect(h.smtp).toMatchObject({ transport: 'smtp', up: true, auth: 'oauth2' });

    expect(logText()).toContain('oauth2 access token obtained');
    expect(logText()).not.toContain(o.clientSecret);
    for (const token of o.issued) expect(logText()).not.toContain(token);
  });

  it('keeps reading through IDLE after the token expired, and reconnects later with a fresh one', async () => {
    const first = o.issued[0]!;
    const connects = () => logText().split('"imap connected"').length;
    const logins = () =>
      (imap.log().match(/Login: user=<helpdesk@example\.test>, method=(XOAUTH2|OAUTHBEARER)/g) ?? []).length;
    const connectsBefore = connects();
    await sleep(4500);
    expect(o.active(first)).toBe(false);
    // The signed-in IDLE session is not dropped for an expired token: new mail still arrives within seconds.
    const before = Date.now();
    await imap.append(mail('oa-2@corp.example', 'teams audio', 'No audio in Teams calls on my new headset.'));
    await ticketFor('oa-2@corp.example');
    expect(Date.now() - before).toBeLessThan(5000);
    expect(connects()).toBe(connectsBefore);
    // Dropping the session (doveadm kick) the reconnect must present a token that is active now.
    const loginsBefore = logins();
    await imap.kick();
    await imap.append(mail('oa-3@corp.example', 'printer', 'The printer on floor 3 prints blank pages.'));
    await ticketFor('oa-3@corp.example');
    // Dovecot introspects every token it is offered, and the first one is dead: this sign-in used a fresh one.
    expect(logins()).toBeGreaterThan(loginsBefore);
    expect((await health()).imap).toMatchObject({ state: 'connected', error: null });
    // SMTP renewed its expired token too: every accepted sign-in used a token active at that moment.
    await until(async () => sentTo('ola@corp.example') >= 3, 10_000, 'answers to all three mails');
    expect(new Set(smtp.auths.filter((a) => a.ok).map((a) => a.token)).size).toBeGreaterThan(1);
  });

  it('a token refused before its expiry is renewed once and the sign-in retried', async () => {
    // A long-lived token in the cache, then revoked at the server (an admin revoked the app's sessions). 60 s
    // tokens throughout: Dovecot delays sign-ins after a failure (auth penalty), longer than a 4 s token lives.
    o.lifetimeS = 60;
    try {
      await sleep(4200); // the cached 4 s token has expired: the next sign-in fetches a 60 s one
      await imap.kick();
      await until(async () => ((await health()).imap.tokenExpiresIn > 30 ? true : null), 10_000, 'a 60 s token in use');
      // SMTP signs in with the same 60 s token: nodemailer now holds it too.
      const sent = sentTo('ola@corp.example');
      await imap.append(mail('oa-q@corp.example', 'badge', 'My door badge stopped working this morning.'));
      await ticketFor('oa-q@corp.example');
      await until(async () => sentTo('ola@corp.example') > sent, 10_000, 'the answer sent with the 60 s token');
      const held = smtp.auths.at(-1)!.token;
      expect(o.issued.at(-1)).toBe(held);

      const issued = o.issued.length;
      const authsBefore = smtp.auths.length;
      o.revokeTokens();
      await imap.kick();
      await imap.append(mail('oa-r@corp.example', 'wifi', 'The office wifi asks for my password every hour.'));
      await ticketFor('oa-r@corp.example', 20_000);
      expect(logText()).toContain('imap refused the oauth2 access token; renewing it once');
      // The outbox opens its SMTP pool per run (sender.ts), so it signs in with the token of that moment: the one
      // IMAP has just renewed, never the revoked one it used before.
      await until(async () => sentTo('ola@corp.example') > sent + 1, 10_000, 'the answer after the revocation');
      expect(smtp.auths.slice(authsBefore).map((a) => [a.token === held, a.ok])).toEqual([[false, true]]);
      // One new token served both: the second renewal saw the first one's result.
      expect(o.issued.length).toBe(issued + 1);
      expect((await health()).imap).toMatchObject({ state: 'connected', error: null });
    } finally {
      o.lifetimeS = 4;
    }
  }, 40_000);

  it('a revoked grant: clear error in the log and /healthz, retries with backoff, nothing lost', async () => {
    const sent = sentTo('ola@corp.example');
    const mark = lines.length;
    const logSince = () => lines.slice(mark).join('');
    o.revoke();
    try {
      await imap.kick();
      await imap.append(mail('oa-4@corp.example', 'laptop fan', 'My laptop fan is loud all the time.'));
      const h = await until(
        async () => {
          const x = await health();
          return x.imap.state === 'reconnecting' && x.imap.error ? x : null;
        },
        8000,
        'the imap error in /healthz',
      );
      expect(h.imap.auth).toBe('oauth2');
      expect(h.imap.error).toContain('invalid_client');
      expect(h.imap.error).toContain(o.tokenUrl);
      const retries = () =>
        [...logSince().matchAll(/"retryInMs":(\d+)[^\n]*imap session ended; reconnecting/g)].map((m) => Number(m[1]));
      await until(async () => retries().length >= 3, 10_000, 'three reconnect attempts');
      // Backoff: each attempt waits longer than the one before.
      expect(retries().slice(0, 3)).toEqual([1000, 2000, 4000]);
      // Nothing was taken from the inbox while signed out.
      expect((await imap.list('INBOX')).map((m) => m.subject)).toContain('laptop fan');
    } finally {
      o.restore();
    }
    const t = await ticketFor('oa-4@corp.example', 20_000);
    expect(t.subject).toBe('laptop fan');
    expect((await health()).imap).toMatchObject({ state: 'connected', error: null });
    await until(async () => sentTo('ola@corp.example') > sent, 20_000, 'the answer after the revocation');
    expect(logText()).not.toContain(o.clientSecret);
  }, 60_000);

  it('a token server that is down: IDLE keeps working, a reconnect waits for it, nothing lost', async () => {
    const sent = sentTo('ola@corp.example');
    await o.down();
    try {
      // While the session lasts, intake does not need the token server.
      await imap.append(mail('oa-5@corp.example', 'monitor', 'My second monitor flickers.'));
      await ticketFor('oa-5@corp.example');
      await sleep(4200); // the cached token has expired now
      await imap.kick();
      await imap.append(mail('oa-6@corp.example', 'keyboard', 'Some keys on my keyboard stopped working.'));
      const h = await until(
        async () => {
          const x = await health();
          return x.imap.state === 'reconnecting' && /unreachable/.test(x.imap.error ?? '') ? x : null;
        },
        10_000,
        'the token server outage in /healthz',
      );
      expect(h.imap.error).toContain(o.tokenUrl);
      expect((await imap.list('INBOX')).map((m) => m.subject)).toContain('keyboard');
    } finally {
      await o.up();
    }
    await ticketFor('oa-6@corp.example', 20_000);
    expect((await health()).imap).toMatchObject({ state: 'connected', error: null });
    // Answers that could not get a token waited in the outbox and went out once the token server was back.
    await until(async () => sentTo('ola@corp.example') >= sent + 2, 25_000, 'both answers delivered');
  }, 60_000);
});
