/** Config rules that decide what is exposed: demo data and the open dev outbox never come with real mail. */
import { describe, it, expect } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('loads the demo only when no mail server is configured, unless SEED_DEMO says otherwise', () => {
    expect(loadConfig({}).seedDemo).toBe(true);
    expect(loadConfig({ SMTP_URL: 'smtp://mail.corp.example:587' }).seedDemo).toBe(false);
    expect(loadConfig({ IMAP_URL: 'imaps://u:p@imap.corp.example/INBOX' }).seedDemo).toBe(false);
    expect(loadConfig({ SMTP_URL: 'smtp://mail.corp.example:587', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({ SEED_DEMO: 'false' }).seedDemo).toBe(false);
  });

  it('opens the dev outbox only with DEV_OUTBOX=true and no SMTP_URL', () => {
    expect(loadConfig({}).devOutboxOpen).toBe(false);
    expect(loadConfig({ SEED_DEMO: 'true' }).devOutboxOpen).toBe(false);
    expect(loadConfig({ DEV_OUTBOX: 'true' }).devOutboxOpen).toBe(true);
    expect(loadConfig({ DEV_OUTBOX: 'true', SMTP_URL: 'smtp://127.0.0.1:2525' }).devOutboxOpen).toBe(false);
  });

  it('allows requester domains: the MAIL_FROM domain, plus the demo domain while the demo is on, or the list given', () => {
    const mailFrom = 'IT <it@Corp.Example>';
    expect(loadConfig({ MAIL_FROM: mailFrom, SEED_DEMO: 'false' }).requesterDomains).toEqual(['corp.example']);
    expect(loadConfig({ MAIL_FROM: 'it@acme.test', SEED_DEMO: 'true' }).requesterDomains).toEqual([
      'acme.test',
      'corp.example',
    ]);
    expect(loadConfig({ ALLOWED_REQUESTER_DOMAINS: 'acme.test, *.acme.test' }).requesterDomains).toEqual([
      'acme.test',
      '*.acme.test',
    ]);
    expect(loadConfig({ ALLOWED_REQUESTER_DOMAINS: '*' }).requesterDomains).toEqual(['*']);
  });

  it('refuses trusted proxies that are not addresses or CIDRs, and domains that are not domains', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, ::1, 192.0.2.7' }).trustedProxies).toHaveLength(3);
    for (const env of [
      { TRUSTED_PROXIES: '10.0.0.0/40' },
      { TRUSTED_PROXIES: 'proxy.local' },
      { ALLOWED_REQUESTER_DOMAINS: 'a b' },
    ])
      expect(() => loadConfig(env)).toThrow(ConfigError);
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', DEV_OUTBOX: 'maybe', DATABASE_URL: 'postgres://x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const v of ['PORT', 'DEV_OUTBOX', 'DATABASE_URL']) expect(problems).toContain(v);
    }
  });
});
