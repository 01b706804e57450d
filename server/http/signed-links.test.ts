/** Signed link tokens: exact signatures, exact actions, two parts only, expiry by the clock. */
import { createHmac } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { AppError } from '../errors.js';
import { createLinkSigner } from './signed-links.js';

let now = new Date('2026-03-01T12:00:00Z');
const signer = createLinkSigner('link-secret-0123456789', () => now);
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
};

describe('signed links', () => {
  it('verifies its own token and returns the claims', () => {
    const t = signer.sign({ t: 5, a: 'ticket', e: 'ann@corp.example' }, 90);
    const c = signer.verify(t, 'ticket');
    expect(c).toMatchObject({ t: 5, a: 'ticket', e: 'ann@corp.example' });
    expect(c.x).toBe(Math.floor(now.getTime() / 1000) + 90 * 86400);
    expect(t.split('.')).toHaveLength(2);
  });

  it('refuses another action, another secret, a changed payload or signature, extra parts', () => {
    const t = signer.sign({ t: 5, a: 'ticket' });
    expect(code(() => signer.verify(t, 'requester'))).toBe('link_invalid');
    expect(code(() => createLinkSigner('other-secret-0123456789').verify(t))).toBe('link_invalid');
    const [payload, sig] = t.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ t: 6, a: 'ticket', x: 9e9 })).toString('base64url');
    expect(code(() => signer.verify(`${forged}.${sig}`))).toBe('link_invalid');
    expect(code(() => signer.verify(`${payload}.${sig.slice(0, -1)}`))).toBe('link_invalid');
    expect(code(() => signer.verify(`${payload}.${sig}A`))).toBe('link_invalid');
    expect(code(() => signer.verify(`${t}.extra`))).toBe('link_invalid');
    for (const junk of ['', '.', 'abc', `${payload}.`, `.${sig}`])
      expect(code(() => signer.verify(junk))).toBe('link_invalid');
  });

  it('expires on the clock, not before', () => {
    const t = signer.sign({ t: 1, a: 'ticket' }, 1);
    const issued = now;
    now = new Date(issued.getTime() + 86400_000 - 1000);
    expect(code(() => signer.verify(t))).toBe('ok');
    now = new Date(issued.getTime() + 86400_000 + 1000);
    expect(code(() => signer.verify(t))).toBe('link_expired');
    now = issued;
  });

  it('tags values deterministically per secret, with the length asked for', () => {
    expect(signer.tag('x')).toBe(signer.tag('x'));
    expect(signer.tag('x')).not.toBe(signer.tag('y'));
    expect(signer.tag('x')).toHaveLength(10);
    expect(signer.tag('x', 22)).toHaveLength(22);
    expect(signer.tag('x')).toMatch(/^[a-z0-9]+$/);
  });

  it('is still valid at the second it expires, expired one millisecond later; 30 days by default', () => {
    const issued = now;
    const t = signer.sign({ t: 1, a: 'ticket' });
    const { x } = signer.verify(t);
    expect(x).toBe(Math.floor(issued.getTime() / 1000) + 30 * 86400);
    now = new Date(x * 1000);
    expect(code(() => signer.verify(t))).toBe('ok');
    now = new Date(x * 1000 + 1);
    expect(code(() => signer.verify(t))).toBe('link_expired');
    now = issued;
    // Fractions of a day are kept to the second.
    expect(signer.verify(signer.sign({ t: 1, a: 'ticket' }, 0.5)).x).toBe(Math.floor(issued.getTime() / 1000) + 43200);
  });

  it('checks the action only when one is asked for', () => {
    expect(code(() => signer.verify(signer.sign({ t: 1, a: 'close' })))).toBe('ok');
    expect(code(() => signer.verify(signer.sign({ t: 1, a: 'close' }), 'close'))).toBe('ok');
  });

  it('refuses a correctly signed payload that is not JSON', () => {
    const payload = Buffer.from('not json').toString('base64url');
    const sig = createHmac('sha256', 'link-secret-0123456789').update(payload).digest().subarray(0, 18);
    expect(code(() => signer.verify(`${payload}.${sig.toString('base64url')}`))).toBe('link_invalid');
    // The parse error is kept as the cause, for the log.
    expect(() => signer.verify(`${payload}.${sig.toString('base64url')}`)).toThrow(
      expect.objectContaining({ cause: expect.any(SyntaxError) }),
    );
  });

  it('runs on the real clock when given none', () => {
    const real = createLinkSigner('link-secret-0123456789');
    const { x } = real.verify(real.sign({ t: 1, a: 'ticket' }, 1));
    expect(Math.abs(x - (Date.now() / 1000 + 86400))).toBeLessThan(5);
  });
});
