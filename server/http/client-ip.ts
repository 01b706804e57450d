/**
 * Who the client is, for rate limits. Behind a reverse proxy every request comes from the proxy, so one bucket would
 * hold the whole company (one abuser locks everyone out); but X-Forwarded-For is whatever the client wrote, so it
 * is believed only hop by hop from a peer listed in TRUSTED_PROXIES. IPv6 clients are keyed by their /64: one
 * host usually holds a whole /64 and could otherwise take a fresh address per request.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** A strict parse (no octal or hex IPv4 forms); IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string | undefined): Addr | null {
  const t = (text ?? '').trim().replace(/^\[(.*)\]$/, '$1');
  if (!(ipaddr.IPv4.isValidFourPartDecimal(t) || ipaddr.IPv6.isValid(t))) return null;
  return ipaddr.process(t);
}

/** The rate-limit key of an address: IPv4 as is, IPv6 as its /64 network. */
export function ipKey(a: Addr): string {
  if (a.kind() === 'ipv4') return a.toString();
  const parts = (a as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

/** Builds the client resolver for a list of trusted proxy CIDRs (or single addresses). */
export function createClientIp(trustedProxies: readonly string[]) {
  const ranges = trustedProxies.map((t) => {
    if (t.includes('/')) return ipaddr.parseCIDR(t);
    const a = ipaddr.process(t);
    return [a, a.kind() === 'ipv4' ? 32 : 128] as [Addr, number];
  });
  const trusted = (a: Addr) => ranges.some(([net, bits]) => a.kind() === net.kind() && a.match(net, bits));

  /** The client's address: the socket peer, or the nearest untrusted hop of X-Forwarded-For behind trusted ones. */
  function address(peer: string | undefined, forwardedFor: string | undefined): Addr | null {
    let current = parseIp(peer);
    if (!current || !ranges.length || !forwardedFor) return current;
    const hops = forwardedFor
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    // Walk from the proxy nearest to us towards the client; stop at the first hop we do not trust.
    while (current && trusted(current) && hops.length) {
      const next = parseIp(hops.pop());
      if (!next) break; // garbage in the header: the last trusted proxy is all we know
      current = next;
    }
    return current;
  }

  return {
    address,
    /** The rate-limit key of the request's client ('unknown' without a socket, as in app.request() tests). */
    key(c: Context): string {
      let peer: string | undefined;
      try {
        peer = getConnInfo(c).remote.address;
      } catch {
        peer = undefined;
      }
      const a = address(peer, c.req.header('x-forwarded-for'));
      return a ? ipKey(a) : 'unknown';
    },
  };
}

export type ClientIp = ReturnType<typeof createClientIp>;
