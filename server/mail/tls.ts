/**
 * The plaintext rule for IMAP and SMTP: credentials and mail travel over TLS (implicit, or STARTTLS that must
 * succeed) unless the server is on this machine, or MAIL_ALLOW_PLAINTEXT=true says a plaintext network is wanted.
 * Loopback is decided from the host as written in the URL, never from a DNS answer (which could change): only
 * `localhost`, 127.0.0.0/8 and ::1 count; every other name is treated as a remote server.
 */
import net from 'node:net';

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for localhost, an IPv4 address in 127.0.0.0/8 and ::1, in any spelling (bracketed, IPv4-mapped). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === 'localhost.') return true;
  // BlockList also matches IPv4-mapped IPv6 (::ffff:7f00:1) against the IPv4 rule.
  if (net.isIPv4(h)) return LOOPBACK.check(h, 'ipv4');
  if (net.isIPv6(h)) return LOOPBACK.check(h, 'ipv6');
  return false;
}

export type PlaintextPolicy = 'implicit-tls' | 'require-starttls' | 'plaintext-ok';

/** What a connection to `host` must do: implicit TLS (imaps/smtps), STARTTLS that must succeed, or may stay plain. */
export function plaintextPolicy(secure: boolean, host: string, allowPlaintext: boolean): PlaintextPolicy {
  if (secure) return 'implicit-tls';
  return allowPlaintext || isLoopbackHost(host) ? 'plaintext-ok' : 'require-starttls';
}

/** The error an operator sees when a server offers no TLS. */
export function plaintextRefused(protocol: 'IMAP' | 'SMTP', host: string, port: number, cause?: unknown) {
  return new Error(
    `${protocol} server ${host}:${port} offers no TLS (no STARTTLS): refusing to sign in over plaintext. ` +
      `Use ${protocol === 'IMAP' ? 'imaps://' : 'smtps://'}, enable TLS on the server, or set ` +
      'MAIL_ALLOW_PLAINTEXT=true if this network is trusted.',
    { cause },
  );
}
