import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corporaDir } from '../../../tests/support/availability.js';
import { parseAuthResults, senderVerdict } from './auth-results.js';

const lines = (...h: [string, string][]) => h.map(([key, value]) => ({ key, line: `${key}: ${value}` }));

describe('Authentication-Results (RFC 8601)', () => {
  it('reads the examples of RFC 8601 appendix B', () => {
    expect(parseAuthResults('example.org 1; none')).toEqual({ authservId: 'example.org', results: [] });
    expect(parseAuthResults('example.com; spf=pass smtp.mailfrom=example.net')?.results).toEqual([
      { method: 'spf', result: 'pass', props: { 'smtp.mailfrom': 'example.net' } },
    ]);
    const b4 = parseAuthResults(
      'example.com;\r\n   auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n   spf=pass smtp.mailfrom=example.net',
    );
    expect(b4?.results.map((r) => `${r.method}=${r.result}`)).toEqual(['auth=pass', 'spf=pass']);
    expect(b4?.results[0]?.props).toEqual({ 'smtp.auth': 'sender@example.net' });
    const b6 = parseAuthResults(
      'example.com;\r\n  dkim=pass reason="good signature"\r\n    header.i=@mail-router.example.net;\r\n' +
        '  dkim=fail reason="bad signature"\r\n    header.i=@newyork.example.com',
    );
    expect(b6?.results).toEqual([
      { method: 'dkim', result: 'pass', props: { 'header.i': '@mail-router.example.net' } },
      { method: 'dkim', result: 'fail', props: { 'header.i': '@newyork.example.com' } },
    ]);
  });

  it('handles nested comments, quoted strings and hostile input in linear time', () => {
    expect(
      parseAuthResults('mx.example (a (nested; comment) here); dmarc=pass (p=reject; x) header.from=a.example'),
    ).toEqual({
      authservId: 'mx.example',
      results: [{ method: 'dmarc', result: 'pass', props: { 'header.from': 'a.example' } }],
    });
    // No authserv-id (as Exchange Online writes it): names no server, so it is never trusted.
    expect(parseAuthResults('spf=pass smtp.mailfrom=contoso.com; dmarc=pass header.from=contoso.com')).toBeNull();
    expect(parseAuthResults('mx.example; dmarc=')).toEqual({ authservId: 'mx.example', results: [] });
    const t0 = performance.now();
    expect(parseAuthResults(`mx.example; ${'('.repeat(8000)}`)?.results).toEqual([]);
    expect(parseAuthResults('x'.repeat(100_000))).toBeNull();
    for (let i = 0; i < 200; i++) parseAuthResults(`mx.example; ${'dkim=pass header.d=a.example '.repeat(250)}`);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('authenticates only the From: domain, only by the trusted server, topmost header first', () => {
    const from = 'ines@corp.example';
    const pass = 'mx.corp.example; dmarc=pass header.from=corp.example';
    expect(senderVerdict(lines(['authentication-results', pass], ['from', from]), from, 'MX.corp.example')).toEqual({
      authenticated: true,
      reason: 'dmarc=pass for corp.example',
    });
    expect(senderVerdict(lines(['authentication-results', pass], ['from', from]), from, undefined).authenticated).toBe(
      false,
    );
    // A forged pass below the trusted server's own header does not count.
    const forged = lines(
      ['authentication-results', 'mx.corp.example; dmarc=fail header.from=corp.example'],
      ['authentication-results', pass],
      ['from', from],
    );
    expect(senderVerdict(forged, from, 'mx.corp.example')).toMatchObject({
      authenticated: false,
      reason: 'dmarc=fail',
    });
    expect(
      senderVerdict(
        lines(['authentication-results', pass], ['from', from], ['from', 'x@evil.example']),
        from,
        'mx.corp.example',
      ).authenticated,
    ).toBe(false);
    // DKIM signed by exactly the From: domain counts when there is no DMARC result; a parent or other domain not.
    const dkim = (d: string) =>
      lines(['authentication-results', `mx.corp.example; dkim=pass header.d=${d}`], ['from', from]);
    expect(senderVerdict(dkim('corp.example'), from, 'mx.corp.example').authenticated).toBe(true);
    expect(senderVerdict(dkim('example'), from, 'mx.corp.example').authenticated).toBe(false);
    expect(senderVerdict(dkim('evil.example'), from, 'mx.corp.example').authenticated).toBe(false);
  });

  it('parses every Authentication-Results header in the real-world corpora without throwing', () => {
    const dir = corporaDir();
    if (!dir) return;
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = path.join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (statSync(p).size < 2_000_000) files.push(p);
      }
    };
    walk(dir);
    let seen = 0;
    let named = 0;
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      for (const m of text.matchAll(/^authentication-results:([^\n]*(?:\n[ \t][^\n]*)*)/gim)) {
        seen++;
        if (parseAuthResults(m[1]!)) named++;
      }
    }
    expect(seen).toBeGreaterThan(100);
    expect(named / seen).toBeGreaterThan(0.6);
  });
});
