/**
 * The mailbox token provider against a real OAuth token server on loopback: both grants, caching until shortly
 * before expiry, one request for concurrent callers, renew() after a refusal, rotated refresh tokens, and clear
 * errors (never a secret) when the grant is refused or the server is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createTokenProvider, OAuthTokenError } from '../server/mail/oauth/tokens.js';
import { startOAuthServer, type OAuthServer } from './support/oauth-server.js';
import { sleep } from './support/wait.js';

/** A pino logger whose lines the test can read. */
function capturingLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), text: () => lines.join('') };
}

describe('OAuth2 token provider', () => {
  let o: OAuthServer;
  beforeAll(async () => {
    o = await startOAuthServer({ lifetimeS: 2 });
  });
  afterAll(async () => {
    await o?.stop();
  });

  it('client credentials: one request for many callers, cached until shortly before expiry, then renewed', async () => {
    const { log, text } = capturingLog();
    const p = createTokenProvider(
      {
        tokenUrl: o.tokenUrl,
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        scope: 'https://outlook.office365.com/.default',
      },
      { log },
    );
    const before = o.requests.length;
    const all = await Promise.all([p.token(), p.token(), p.token()]);
    expect(new Set(all).size).toBe(1);
    expect(o.active(all[0]!)).toBe(true);
    expect(await p.token()).toBe(all[0]);
    expect(o.requests.slice(before)).toEqual([expect.objectContaining({ grant: 'client_credentials', ok: true })]);
    expect(p.status()).toMatchObject({ auth: 'oauth2', grant: 'client_credentials', error: null });
    expect(p.status().tokenExpiresIn).toBeGreaterThan(0);
    // 2 s lifetime: renewed a fifth of it early, so the next token comes before the old one dies.
    await sleep(1700);
    const next = await p.token();
    expect(next).not.toBe(all[0]);
    expect(o.active(all[0]!)).toBe(true);
    const renewed = await p.renew(next);
    expect(renewed).not.toBe(next);
    // A second refusal of the token already replaced (SMTP and IMAP share the provider) asks for nothing new.
    const count = o.requests.length;
    expect(await p.renew(next)).toBe(renewed);
    expect(o.requests.length).toBe(count);
    expect(text()).not.toContain(o.clientSecret);
    for (const t of o.issued) expect(text()).not.toContain(t);
  });

  it('refresh-token grant, with a rotated refresh token used from then on', async () => {
    const p = createTokenProvider(
      { tokenUrl: o.tokenUrl, clientId: o.clientId, clientSecret: o.clientSecret, refreshToken: o.refreshToken },
      { log: capturingLog().log },
    );
    o.rotateRefreshTokens = true;
    try {
      const t1 = await p.token();
      expect(o.active(t1)).toBe(true);
      expect(o.requests.at(-1)).toMatchObject({ grant: 'refresh_token', ok: true });
      expect(p.status().grant).toBe('refresh_token');
      expect(o.requests.at(-1)!.refreshToken).toBe(o.refreshToken);
      await p.renew();
      expect(o.requests.at(-1)).toMatchObject({ grant: 'refresh_token', ok: true, refreshToken: o.rotated[0] });
    } finally {
      o.rotateRefreshTokens = false;
    }
  });

  it('says why a refused grant failed, and recovers once the server grants again', async () => {
    const { log, text } = capturingLog();
    const p = createTokenProvider(
      { tokenUrl: o.tokenUrl, clientId: o.clientId, clientSecret: o.clientSecret, refreshToken: o.refreshToken },
      { log },
    );
    o.revoke();
    try {
      const err = await p.token().catch((e) => e);
      expect(err).toBeInstanceOf(OAuthTokenError);
      expect(err.reason).toBe('refused');
      expect(err.message).toContain('invalid_grant');
      expect(err.message).toContain('revoked');
      expect(p.status().error).toContain('invalid_grant');
    } finally {
      o.restore();
    }
    expect(o.active(await p.token())).toBe(true);
    expect(p.status().error).toBeNull();
    expect(text()).toContain('oauth2 token request failed');
    expect(text()).not.toContain(o.refreshToken);
    expect(text()).not.toContain(o.clientSecret);
  });

  it('keeps handing out a still-valid token while the token server is down, then says it is unreachable', async () => {
    o.lifetimeS = 3;
    const p = createTokenProvider(
      { tokenUrl: o.tokenUrl, clientId: o.clientId, clientSecret: o.clientSecret },
      { log: capturingLog().log },
    );
    const t = await p.token();
    await o.down();
    try {
      await sleep(2600); // inside the renewal margin, not yet expired
      expect(await p.token()).toBe(t);
      expect(p.status().error).toMatch(/unreachable/);
      await sleep(600); // expired now
      const err = await p.token().catch((e) => e);
      expect(err).toBeInstanceOf(OAuthTokenError);
      expect(err.reason).toBe('unreachable');
      expect(err.message).toContain(o.tokenUrl);
    } finally {
      await o.up();
      o.lifetimeS = 2;
    }
    expect(await p.token()).not.toBe(t);
  });
});
