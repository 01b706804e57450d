/**
 * DKIM: with DKIM_PRIVATE_KEY and DKIM_SELECTOR set, every mail the helpdesk sends is signed by nodemailer, and
 * what the SMTP server receives verifies with mailauth against the public key (served through mailauth's resolver
 * option, as the DNS TXT record at SELECTOR._domainkey.DOMAIN would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';
import { startTestServer, type TestServer } from './support/server.js';

const keys = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: ReturnType<typeof keys>) => k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** The TXT record an operator publishes: v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>. */
const txt = (k: ReturnType<typeof keys>) =>
  `v=DKIM1; k=rsa; p=${k.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;

describe('DKIM signing', () => {
  const key = keys();
  let smtp: SmtpSink;
  let s: TestServer;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dkim-'));
    const file = path.join(dir, 'dkim.pem');
    writeFileSync(file, pem(key), { mode: 0o600 });
    smtp = await startSmtpServer();
    s = await startTestServer({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'IT Helpdesk <it@corp.example>',
      DKIM_PRIVATE_KEY: file,
      DKIM_SELECTOR: 'helpdesk2026',
    });
  });
  afterAll(async () => {
    await s?.stop();
    await smtp?.stop();
  });

  const resolverFor = (record: string) => async (name: string, type: string) => {
    if (type === 'TXT' && name === 'helpdesk2026._domainkey.corp.example') return [[record]];
    throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
  };

  it('signs outgoing mail so that it verifies against the published key', async () => {
    const r = await s.api('/api/tickets', {
      method: 'POST',
      json: {
        name: 'Dana Field',
        email: 'dana@corp.example',
        issue: 'How do I set an out of office reply in Outlook?',
      },
    });
    expect(r.status).toBe(201);
    const [received] = await smtp.waitFor(1, 10_000);
    expect(received!.raw.toString()).toMatch(/^DKIM-Signature: .*d=corp\.example/m);
    const good = await dkimVerify(received!.raw, { resolver: resolverFor(txt(key)) });
    expect(good.results).toHaveLength(1);
    expect(good.results[0]).toMatchObject({
      signingDomain: 'corp.example',
      selector: 'helpdesk2026',
      status: { result: 'pass' },
    });
    // The verifier really checks: another key, or a changed body, fails.
    const otherKey = await dkimVerify(received!.raw, { resolver: resolverFor(txt(keys())) });
    expect(otherKey.results[0]!.status.result).toBe('fail');
    const tampered = Buffer.from(received!.raw.toString().replace(/Outlook/g, 'Outl00k'));
    const changed = (await dkimVerify(tampered, { resolver: resolverFor(txt(key)) })).results[0]!.status;
    // mailauth reports a body that no longer matches its hash as "neutral" with a comment (RFC 6376 6.3).
    expect(changed.result).not.toBe('pass');
    expect(changed.comment).toMatch(/body hash/i);
  });

  it('takes the key as PEM text too, and lists what is missing or unreadable', () => {
    const escaped = pem(key).replace(/\n/g, '\\n');
    const c = loadConfig({ DKIM_PRIVATE_KEY: escaped, DKIM_SELECTOR: 's1', MAIL_FROM: 'IT <it@corp.example>' });
    expect(c.dkim).toMatchObject({ domainName: 'corp.example', keySelector: 's1' });
    expect(c.dkim!.privateKey).toContain('-----BEGIN PRIVATE KEY-----\n');
    expect(loadConfig({}).dkim).toBeNull();
    try {
      loadConfig({ DKIM_SELECTOR: 's1', OIDC_ROLES: 'boss:IT' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join('\n')).toContain('DKIM_PRIVATE_KEY: required');
    }
    expect(() => loadConfig({ DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nnope', DKIM_SELECTOR: 's1' })).toThrow(
      /not a readable PEM/,
    );
    expect(() => loadConfig({ DKIM_PRIVATE_KEY: '/nonexistent/dkim.pem', DKIM_SELECTOR: 's1' })).toThrow(/not found/);
  });
});
