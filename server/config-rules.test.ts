/**
 * Config errors, parser by parser: what each kind of variable accepts, the bounds it enforces, the words of its
 * error, and the defaults of the rules the design names (24 h to escalation, the AI agent's confidence threshold).
 */
import { beforeAll, describe, expect, it } from 'vitest';

// Imported before the tests, not with the file: a fault in building the schema fails the tests instead of the import.
let config: typeof import('./config.js');
const loadConfig = (env: Record<string, string | undefined>) => config.loadConfig(env);
beforeAll(async () => {
  config = await import('./config.js');
});

/** The problems loadConfig reports for an environment ([] when it loads). */
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof config.ConfigError)) throw err;
    return err.problems;
  }
};
const ok = (env: Record<string, string>) => expect(problems(env), JSON.stringify(env)).toEqual([]);
const bad = (env: Record<string, string>, words: string) => {
  const p = problems(env);
  expect(p, JSON.stringify(env)).toHaveLength(1);
  expect(p[0]).toContain(words);
};

describe('config rules', () => {
  it('escalates after 24 hours and lets the AI agent answer from confidence 0.55 unless told otherwise', () => {
    const c = loadConfig({});
    expect(c.escalationHours).toBe(24);
    expect(c.aiConfidenceThreshold).toBe(0.55);
    expect(loadConfig({ ESCALATION_HOURS: '0.5', AI_CONFIDENCE_THRESHOLD: '0.8' })).toMatchObject({
      escalationHours: 0.5,
      aiConfidenceThreshold: 0.8,
    });
  });

  it('keeps numbers within their bounds, with the bounds in the error', () => {
    ok({ ESCALATION_HOURS: '0.01' });
    ok({ ESCALATION_HOURS: String(24 * 365) });
    bad({ ESCALATION_HOURS: '0.009' }, 'ESCALATION_HOURS: must be a number between 0.01 and 8760 (got "0.009")');
    bad({ ESCALATION_HOURS: String(24 * 365 + 1) }, 'between 0.01 and 8760');
    bad({ ESCALATION_HOURS: 'Infinity' }, 'between 0.01 and 8760');
    bad({ ESCALATION_HOURS: 'soon' }, 'between 0.01 and 8760');
    ok({ AI_CONFIDENCE_THRESHOLD: '0' });
    ok({ AI_CONFIDENCE_THRESHOLD: '1' });
    bad({ AI_CONFIDENCE_THRESHOLD: '1.01' }, 'between 0 and 1');
    bad({ AI_CONFIDENCE_THRESHOLD: '-0.1' }, 'between 0 and 1');
  });

  it('takes whole numbers only, within their bounds', () => {
    expect(loadConfig({}).port).toBe(3000);
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    bad({ PORT: '65536' }, 'PORT: must be a whole number between 0 and 65535 (got "65536")');
    bad({ PORT: '-1' }, 'between 0 and 65535');
    bad({ PORT: '80.5' }, 'between 0 and 65535');
    bad({ IMAP_POLL_SECONDS: '0' }, 'between 1 and 3600');
    // Without a maximum: up to the largest safe integer.
    expect(loadConfig({ WIDGET_RATE_LIMIT: String(Number.MAX_SAFE_INTEGER) }).widget.rateLimit).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    bad({ WIDGET_RATE_LIMIT: '9007199254740992' }, `between 0 and ${Number.MAX_SAFE_INTEGER}`);
    bad({ WIDGET_RATE_LIMIT: '-1' }, 'between 0 and');
  });

  it('treats an empty variable as unset', () => {
    const c = loadConfig({ APP_SECRET: '', MAIL_FROM: '', PORT: undefined });
    expect(c.smtp.from).toBe('IT Helpdesk <it@helpdesk.localhost>');
    expect(c.appSecret).toBeUndefined();
    expect(loadConfig({ PORT: '', ESCALATION_HOURS: '', SMTP_URL: '' })).toMatchObject({
      port: 3000,
      escalationHours: 24,
      smtp: { url: undefined },
    });
    // The parsers themselves do too (the schema is used without loadConfig's clean-up by the CLIs' checks).
    const parsed = config.schema.parse({ PORT: '', ESCALATION_HOURS: '', SMTP_URL: '', PUBLIC_URL: '' });
    expect(parsed).toMatchObject({ PORT: 3000, ESCALATION_HOURS: 24, SMTP_URL: undefined, PUBLIC_URL: undefined });
  });

  it('reads booleans in the usual spellings and nothing else', () => {
    for (const v of ['true', '1', 'yes', 'on']) expect(loadConfig({ DEV_OUTBOX: v }).devOutboxOpen, v).toBe(true);
    for (const v of ['false', '0', 'no', 'off']) expect(loadConfig({ DEV_OUTBOX: v }).devOutboxOpen, v).toBe(false);
    expect(problems({ DEV_OUTBOX: 'maybe' })[0]).toMatch(/^DEV_OUTBOX: .* \(got "maybe"\)$/);
  });

  it('takes URLs of the right kind only', () => {
    expect(loadConfig({ SMTP_URL: 'smtps://mail.corp.example' }).smtp.url).toBe('smtps://mail.corp.example');
    bad({ SMTP_URL: 'http://mail.corp.example' }, 'SMTP_URL: must be a URL starting with smtp:// or smtps://');
    bad({ SMTP_URL: 'not a url' }, 'must be a URL starting with smtp:// or smtps://');
    bad({ PUBLIC_URL: 'ftp://help.corp.example' }, 'must be a URL starting with http:// or https://');
    expect(loadConfig({ PUBLIC_URL: 'https://help.corp.example/' }).publicUrl).toBe('https://help.corp.example');
  });

  it('splits lists on commas, trimmed, without empty entries', () => {
    expect(loadConfig({ WIDGET_ORIGINS: ' https://a.example , ,https://b.example,' }).widget.origins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(loadConfig({}).widget.origins).toEqual([]);
  });

  it('takes proxies as addresses or CIDRs, and says which entry is wrong', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8,::1,2001:db8::/32' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      '::1',
      '2001:db8::/32',
    ]);
    bad({ TRUSTED_PROXIES: '10.0.0.1, 10.0.0.0/33' }, '"10.0.0.0/33" is not an IP address or CIDR such as 10.0.0.0/8');
    bad({ TRUSTED_PROXIES: '10.0.0.300' }, '"10.0.0.300" is not an IP address or CIDR');
    expect(problems({ TRUSTED_PROXIES: 'a, b' })).toHaveLength(2);
  });

  it('takes requester domains as domains, *.domains, .domains or *', () => {
    const d = (v: string) => loadConfig({ ALLOWED_REQUESTER_DOMAINS: v }).requesterDomains;
    expect(d('Corp.Example, *.corp.example, .eu.corp.example, x-1.test')).toEqual([
      'corp.example',
      '*.corp.example',
      '.eu.corp.example',
      'x-1.test',
    ]);
    expect(d('*')).toEqual(['*']);
    for (const v of ['a b', 'corp..example', 'corp.example.', '**.corp.example', 'corp.*', 'x/y', '*corp.example'])
      bad({ ALLOWED_REQUESTER_DOMAINS: v }, `"${v}" is not a domain (example.com, *.example.com or *)`);
  });

  it('allows only the MAIL_FROM domain by default, none when it has none, the demo domain only with the demo', () => {
    expect(loadConfig({ MAIL_FROM: 'helpdesk', SEED_DEMO: 'false' }).requesterDomains).toEqual([]);
    expect(loadConfig({ MAIL_FROM: 'helpdesk', SEED_DEMO: 'true' }).requesterDomains).toEqual(['corp.example']);
    expect(loadConfig({ MAIL_FROM: 'it@corp.example', SEED_DEMO: 'true' }).requesterDomains).toEqual(['corp.example']);
    // "No mail server" means the demo: the demo domain joins unless SEED_DEMO says no.
    expect(loadConfig({ MAIL_FROM: 'it@acme.test' }).requesterDomains).toEqual(['acme.test', 'corp.example']);
    expect(loadConfig({ MAIL_FROM: 'it@acme.test', SMTP_URL: 'smtp://mail.acme.test' }).requesterDomains).toEqual([
      'acme.test',
    ]);
  });

  it('reports the cross-variable problems too, as a ConfigError', () => {
    const p = problems({ MAIL_AUTH: 'oauth2' });
    expect(p).toContain('OAUTH_TOKEN_URL: required when MAIL_AUTH=oauth2');
    expect(() => loadConfig({ MAIL_AUTH: 'oauth2' })).toThrow(/^Invalid configuration:\n {2}- /);
  });

  it('names the database URL rule', () => {
    ok({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/hd' });
    ok({ DATABASE_URL: 'mariadb://root@127.0.0.1/hd' });
    bad({ DATABASE_URL: 'postgres://x' }, 'DATABASE_URL: must start with sqlite: or mysql:// (got "postgres://x")');
    bad({ DATABASE_URL: 'x-sqlite:db' }, 'must start with sqlite:');
  });
});
