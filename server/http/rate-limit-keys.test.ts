/**
 * What a rate limit counts: one bucket per limit and hashed key, one fixed window, a client by its address (IPv6 by
 * its /64, X-Forwarded-For believed only from trusted proxies), a mailbox by its address without case or +tag.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { addressKey, domainAllowed, domainOf } from '../domain/address.js';
import { createClientIp, ipKey, parseIp } from './client-ip.js';
import { bucketKey, windowStart } from './rate-limit-keys.js';

describe('rate-limit buckets', () => {
  it('names a bucket by the limit and a hash of the key, never the key itself', () => {
    const k = bucketKey('widget-email', 'ann@corp.example');
    const hash = createHash('sha256').update('ann@corp.example').digest('base64url').slice(0, 32);
    expect(k).toBe(`widget-email:${hash}`);
    expect(k).not.toContain('ann');
    expect(bucketKey('widget-email', 'bob@corp.example')).not.toBe(k);
    expect(bucketKey('widget-ip', 'ann@corp.example')).not.toBe(k);
    // Long names are cut to 30 characters, the hash always to 32.
    expect(bucketKey('x'.repeat(40), 'k')).toMatch(/^x{30}:[A-Za-z0-9_-]{32}$/);
  });

  it('puts every instant of a window into the same window', () => {
    const H = 3600_000;
    const start = Date.UTC(2026, 2, 1, 12);
    expect(windowStart(start, H)).toBe(start);
    expect(windowStart(start + H - 1, H)).toBe(start);
    expect(windowStart(start + H, H)).toBe(start + H);
    expect(windowStart(start + 61_000, 60_000)).toBe(start + 60_000);
  });
});

describe('client addresses', () => {
  it('parses addresses strictly (no octal or hex IPv4), unwraps IPv4-mapped IPv6 and brackets', () => {
    expect(parseIp('192.0.2.7')?.toString()).toBe('192.0.2.7');
    expect(parseIp(' [2001:db8::1] ')?.toString()).toBe('2001:db8::1');
    expect(parseIp('::ffff:192.0.2.7')?.toString()).toBe('192.0.2.7');
    for (const bad of ['0x7f.1', '010.0.0.1', '1.2.3', 'proxy.local', '', undefined, '1[::1]', '[::1]1'])
      expect(parseIp(bad), String(bad)).toBeNull();
  });

  it('keys IPv4 by the address and IPv6 by its /64', () => {
    expect(ipKey(parseIp('192.0.2.7')!)).toBe('192.0.2.7');
    expect(ipKey(parseIp('2001:db8:1:2:aaaa::1')!)).toBe('2001:db8:1:2::/64');
    expect(ipKey(parseIp('2001:db8:1:2:bbbb::9')!)).toBe('2001:db8:1:2::/64');
    expect(ipKey(parseIp('2001:db8:1:3::1')!)).toBe('2001:db8:1:3::/64');
  });

  it('believes X-Forwarded-For only hop by hop from trusted proxies', () => {
    const none = createClientIp([]);
    expect(none.address('10.0.0.5', '198.51.100.1')?.toString()).toBe('10.0.0.5');
    const ip = createClientIp(['10.0.0.0/8', '192.0.2.1']);
    expect(ip.address('10.0.0.5', undefined)?.toString()).toBe('10.0.0.5');
    expect(ip.address('10.0.0.5', '198.51.100.1')?.toString()).toBe('198.51.100.1');
    // The client wrote a fake first hop; the nearest untrusted hop is the client.
    expect(ip.address('10.0.0.5', '1.1.1.1, 198.51.100.1, 192.0.2.1')?.toString()).toBe('198.51.100.1');
    expect(ip.address('10.0.0.5', '198.51.100.1,,10.1.1.1 ')?.toString()).toBe('198.51.100.1');
    // A peer that is not a trusted proxy is the client, whatever the header says.
    expect(ip.address('198.51.100.9', '1.1.1.1')?.toString()).toBe('198.51.100.9');
    expect(ip.address('192.0.2.2', '1.1.1.1')?.toString()).toBe('192.0.2.2');
    expect(ip.address('192.0.2.1', '1.1.1.1')?.toString()).toBe('1.1.1.1');
    // Garbage in the header: the last trusted proxy is all we know.
    expect(ip.address('10.0.0.5', 'not-an-ip')?.toString()).toBe('10.0.0.5');
    // Only trusted proxies are walked through: all hops trusted ends at the farthest one.
    expect(ip.address('10.0.0.5', '10.0.0.7, 10.0.0.6')?.toString()).toBe('10.0.0.7');
    expect(ip.address(undefined, '1.1.1.1')).toBeNull();
    const v6 = createClientIp(['2001:db8::1']);
    expect(v6.address('2001:db8::1', '2001:db8:5::9')?.toString()).toBe('2001:db8:5::9');
    expect(v6.address('2001:db8::2', '2001:db8:5::9')?.toString()).toBe('2001:db8::2');
    // An IPv4 peer never matches an IPv6 proxy range.
    expect(createClientIp(['::/0']).address('10.0.0.5', '1.1.1.1')?.toString()).toBe('10.0.0.5');
  });

  it('reads the socket peer, and X-Forwarded-For behind a trusted proxy, of a real request', async () => {
    const direct = createClientIp([]);
    const proxied = createClientIp(['127.0.0.1']);
    const app = new Hono().get('/', (c) => c.text(`${direct.key(c)} ${proxied.key(c)}`));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((r) => server.once('listening', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-forwarded-for': '198.51.100.7' } });
      expect(await r.text()).toBe('127.0.0.1 198.51.100.7');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("keys a request without a socket as 'unknown'", async () => {
    const ip = createClientIp([]);
    const app = new Hono().get('/', (c) => c.text(ip.key(c)));
    expect(await (await app.request('/')).text()).toBe('unknown');
  });
});

describe('mailbox keys', () => {
  it('counts an address without case, +tag or trailing dot', () => {
    for (const a of ['Victim+1@Corp.Example', 'victim+2@corp.example.', 'Victim <VICTIM@corp.example>'])
      expect(addressKey(a), a).toBe('victim@corp.example');
    expect(addressKey('+tag@corp.example')).toBe('+tag@corp.example'); // a local part that is only a tag stays
    expect(addressKey('no-at-sign')).toBe('no-at-sign');
    expect(addressKey('  Ann <Ann@Corp.Example>  ')).toBe('ann@corp.example');
    expect(addressKey(' ann@corp.example ')).toBe('ann@corp.example');
    expect(addressKey('@corp.example.')).toBe('@corp.example');
    // The address in the last <…>: a display name cannot smuggle in another one.
    expect(addressKey('"x@evil.example" <x@evil.example> <Ann@corp.example>')).toBe('ann@corp.example');
    expect(addressKey('a+b@x.example')).not.toBe(addressKey('a@y.example'));
  });

  it('allows a domain exactly, its subdomains with *. or ., or any with *', () => {
    expect(domainOf('Ann <ann@Corp.Example.>')).toBe('corp.example');
    expect(domainOf('ann')).toBe('');
    expect(domainOf('@corp.example')).toBe('corp.example');
    expect(domainOf('Eve <x@evil.example> <ann@corp.example>')).toBe('corp.example');
    expect(domainAllowed('ann@corp.example', ['corp.example'])).toBe(true);
    expect(domainAllowed('ann@eu.corp.example', ['corp.example'])).toBe(false);
    expect(domainAllowed('ann@eu.corp.example', ['*.corp.example'])).toBe(true);
    expect(domainAllowed('ann@corp.example', ['*.corp.example'])).toBe(true);
    expect(domainAllowed('ann@eu.corp.example', ['.CORP.example'])).toBe(true);
    expect(domainAllowed('ann@evilcorp.example', ['*.corp.example'])).toBe(false);
    expect(domainAllowed('ann@anything.test', ['*'])).toBe(true);
    expect(domainAllowed('ann', ['*'])).toBe(false);
    expect(domainAllowed('ann@corp.example', [])).toBe(false);
    expect(domainAllowed('ann@other.example', ['corp.example', 'other.example'])).toBe(true);
  });
});
