/**
 * Email addresses as limits and allow-lists see them. `Victim+1@Corp.Example` and `victim@corp.example` reach the
 * same mailbox, so a per-address limit keyed by the raw text is no limit: keys drop case and the +tag.
 */

/** The domain whose addresses the demo data uses (seeded requesters and agents). */
export const DEMO_EMAIL_DOMAIN = 'corp.example';

/** The bare address inside `Name <addr>` (or the text itself), trimmed. */
export const bareAddress = (text: string) => (/<([^<>]*)>\s*$/.exec(text)?.[1] ?? text).trim();

/** The lower-case domain of an address ('' without one). */
export function domainOf(address: string): string {
  const a = bareAddress(address);
  const at = a.lastIndexOf('@');
  return at < 0
    ? ''
    : a
        .slice(at + 1)
        .toLowerCase()
        .replace(/\.$/, '');
}

/** The key an address is counted under: lower-case, without a +tag in the local part (RFC 5233 subaddressing). */
export function addressKey(address: string): string {
  const a = bareAddress(address).toLowerCase();
  const at = a.lastIndexOf('@');
  if (at < 0) return a;
  const local = a.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}@${a.slice(at + 1).replace(/\.$/, '')}`;
}

/**
 * True when the address's domain is allowed: `*` allows any, `corp.example` that domain exactly, `*.corp.example`
 * (or `.corp.example`) its subdomains too.
 */
export function domainAllowed(address: string, allowed: readonly string[]): boolean {
  const d = domainOf(address);
  if (!d) return false;
  return allowed.some((raw) => {
    const a = raw.toLowerCase();
    if (a === '*') return true;
    const sub = a.startsWith('*.') ? a.slice(2) : a.startsWith('.') ? a.slice(1) : null;
    return sub ? d === sub || d.endsWith(`.${sub}`) : d === a;
  });
}
