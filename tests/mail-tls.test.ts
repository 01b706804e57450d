/**
 * The plaintext rule: IMAP and SMTP sign in over TLS except on loopback, unless MAIL_ALLOW_PLAINTEXT=true. The
 * servers here (Dovecot, smtp-server) offer no TLS. To reach them under a name that is not a loopback literal
 * without leaving the machine, the URL uses 2130706433, the decimal spelling of 127.0.0.1 that the system
 * resolver maps to it; the rule looks only at the name in the URL, so it counts as a remote server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.js';
import { createSmtpTransport } from '../server/mail/outbound/transport.js';
import { isLoopbackHost, plaintextPolicy } from '../server/mail/tls.js';
import { need } from './support/availability.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './support/dovecot.js';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';
import { startTestServer, type TestServer } from './support/server.js';
import { until } from './support/wait.js';

const REMOTE_SPELLING = '2130706433';
const envelope = (id: string) => ({
  from: 'it@helpdesk.localhost',
  to: 'dana@corp.example',
  subject: 'hello',
  text: 'hello',
  html: null,
  messageId: `${id}@helpdesk.localhost`,
  headers: {},
});

describe('plaintext rule', () => {
  it('counts only localhost, 127.0.0.0/8 and ::1 (any spelling) as loopback', () => {
    for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1', '::ffff:7f00:1'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['imap.corp.example', '10.0.0.5', '192.168.1.2', '::2', '128.0.0.1', REMOTE_SPELLING, ''])
      expect(isLoopbackHost(h), h).toBe(false);
    expect(plaintextPolicy(true, 'imap.corp.example', false)).toBe('implicit-tls');
    expect(plaintextPolicy(false, 'imap.corp.example', false)).toBe('require-starttls');
    expect(plaintextPolicy(false, 'imap.corp.example', true)).toBe('plaintext-ok');
    expect(plaintextPolicy(false, '127.0.0.1', false)).toBe('plaintext-ok');
  });

  it('refuses an http:// token endpoint beyond loopback unless MAIL_ALLOW_PLAINTEXT=true', () => {
    const env = {
      MAIL_AUTH: 'oauth2',
      OAUTH_TOKEN_URL: 'http://login.corp.example/token',
      OAUTH_CLIENT_ID: 'x',
      OAUTH_CLIENT_SECRET: 'y',
    };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/OAUTH_TOKEN_URL: must be https/);
    expect(loadConfig({ ...env, MAIL_ALLOW_PLAINTEXT: 'true' }).mailAuth.oauth?.tokenUrl).toBe(env.OAUTH_TOKEN_URL);
  });

  describe('SMTP', () => {
    let smtp: SmtpSink;
    beforeAll(async () => {
      smtp = await startSmtpServer();
    });
    afterAll(async () => {
      await smtp?.stop();
    });

    it('will not send over plaintext to a remote server without STARTTLS, and says which variable allows it', async () => {
      const t = createSmtpTransport(`smtp://${REMOTE_SPELLING}:${smtp.port}`);
      try {
        const err = await t.send(envelope('tls-1')).catch((e) => e);
        expect(err).toBeInstanceOf(Error);
        expect(err.message).toContain('offers no TLS');
        expect(err.message).toContain('MAIL_ALLOW_PLAINTEXT=true');
        expect(err.code).toBe('ETLS');
        expect(smtp.messages.some((m) => m.raw.includes('tls-1@'))).toBe(false);
      } finally {
        t.close();
      }
    });

    it('sends with MAIL_ALLOW_PLAINTEXT=true, and on loopback without it', async () => {
      for (const [url, allow] of [
        [`smtp://${REMOTE_SPELLING}:${smtp.port}`, true],
        [smtp.url, false],
      ] as const) {
        const t = createSmtpTransport(url, { allowPlaintext: allow });
        await t.send(envelope(`ok-${allow}`));
        t.close();
      }
      expect(smtp.messages.filter((m) => /ok-(true|false)@/.test(m.raw.toString()))).toHaveLength(2);
    });
  });

  describe.runIf(need('Dovecot', dovecotAvailable(), 'apt-get install dovecot-imapd'))('IMAP', () => {
    let imap: Dovecot;
    let s: TestServer | null = null;
    beforeAll(async () => {
      imap = await startDovecot();
    });
    afterAll(async () => {
      await s?.stop();
      await imap?.stop();
    });
    const remoteUrl = () => imap.url.replace('@127.0.0.1:', `@${REMOTE_SPELLING}:`);

    it('will not sign in over plaintext to a remote server; /healthz says why', async () => {
      s = await startTestServer({ IMAP_URL: remoteUrl() });
      const h = await until(
        async () => {
          const x = await (await s!.api('/healthz')).json();
          return x.imap.error ? x : null;
        },
        8000,
        'the IMAP error',
      );
      expect(h.imap.state).toBe('reconnecting');
      expect(h.imap.error).toContain(`IMAP server ${REMOTE_SPELLING}:${imap.port} offers no TLS`);
      expect(h.imap.error).toContain('MAIL_ALLOW_PLAINTEXT=true');
      expect(imap.log()).not.toMatch(/Login: user=<helpdesk@example\.test>/);
      await s.stop();
      s = null;
    });

    it('signs in with MAIL_ALLOW_PLAINTEXT=true', async () => {
      s = await startTestServer({ IMAP_URL: remoteUrl(), MAIL_ALLOW_PLAINTEXT: 'true' });
      const h = await until(
        async () => {
          const x = await (await s!.api('/healthz')).json();
          return x.imap.state === 'connected' ? x : null;
        },
        8000,
        'the IMAP connection',
      );
      expect(h.imap.error).toBeNull();
      expect(imap.log()).toMatch(/Login: user=<helpdesk@example\.test>/);
    });
  });
});
