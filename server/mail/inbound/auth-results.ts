/**
 * Authentication-Results (RFC 8601): the verdict of the receiving mail server on SPF, DKIM and DMARC, and the only
 * evidence of who sent a message that we accept besides secrets we issued. Only the header written by the server
 * named in MAIL_TRUSTED_AUTHSERV_ID counts (anyone can write such a header into a message; RFC 8601 §5 requires
 * the receiving server to remove ones claiming its own id), and of those only the topmost, the one it added last.
 *
 * Written here rather than taken from a library: mailauth's parser is internal to that package (not part of its
 * API) and keeps one result per method except DKIM, so a second, failing DMARC result would be lost. The parser
 * is one linear pass over at most 8 KB: comments (nested) and quoted strings are handled, anything else it does not
 * understand makes that one result unusable, never the message.
 */

export interface AuthResult {
  /** e.g. dmarc, dkim, spf (lower case, version dropped). */
  method: string;
  /** e.g. pass, fail, none (lower case). */
  result: string;
  /** ptype.property → value, e.g. header.from → corp.example, header.d → corp.example (lower case keys). */
  props: Record<string, string>;
}

export interface AuthResults {
  authservId: string;
  results: AuthResult[];
}

const MAX = 8192;

/** Splits on ';' and whitespace outside comments and quotes; '=' is a token of its own. Linear in the input. */
function segments(value: string): string[][] {
  const out: string[][] = [[]];
  let word = '';
  let depth = 0;
  let quoted = false;
  const flush = () => {
    if (word) out.at(-1)!.push(word);
    word = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && (depth > 0 || quoted)) {
      if (!depth) word += value[i + 1] ?? '';
      i++;
    } else if (quoted) {
      if (c === '"') quoted = false;
      else word += c;
    } else if (c === '(') {
      depth++;
      flush();
    } else if (depth > 0) {
      if (c === ')') depth--;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      flush();
      out.push([]);
    } else if (c === '=') {
      flush();
      out.at(-1)!.push('=');
    } else if (/\s/.test(c)) flush();
    else word += c;
  }
  flush();
  return out;
}

/** Parses one header value (without the field name); null when it has no authserv-id or is unreadable. */
export function parseAuthResults(value: string): AuthResults | null {
  if (value.length > MAX) return null;
  const [head = [], ...rest] = segments(value.replace(/\r?\n[ \t]+/g, ' '));
  // authserv-id [version]; Exchange Online writes none ("spf=pass …" straight away): such a header names no one.
  if (!head.length || head.includes('=') || head.length > 2) return null;
  const results: AuthResult[] = [];
  for (const words of rest) {
    if (words.length === 1 && words[0]!.toLowerCase() === 'none') continue; // no-result
    const pairs: [string, string][] = [];
    let ok = words.length >= 3;
    for (let i = 0; ok && i < words.length; i += 3) {
      const [k, eq, v] = [words[i], words[i + 1], words[i + 2]];
      if (!k || eq !== '=' || v === undefined || v === '=' || k === '=') ok = false;
      else pairs.push([k.toLowerCase(), v]);
    }
    if (!ok || !pairs.length) continue;
    const [[method, result], ...props] = pairs as [[string, string], ...[string, string][]];
    results.push({
      method: method.split('/')[0]!,
      result: result.toLowerCase(),
      props: Object.fromEntries(props.filter(([k]) => k !== 'reason').map(([k, v]) => [k, v.toLowerCase()])),
    });
  }
  return { authservId: head[0]!.toLowerCase(), results };
}

export interface SenderVerdict {
  /** The trusted server says the From: domain is authentic (DMARC pass, or a DKIM pass signed by that domain). */
  authenticated: boolean;
  /** Why, in a few words (kept in the audit trail). */
  reason: string;
}

const domainOf = (v: string | undefined) => (v ?? '').replace(/^.*@/, '').replace(/\.$/, '').toLowerCase();

/**
 * Whether the receiving server authenticated the From: address's domain. Counts: the topmost
 * Authentication-Results header from `trustedId` with dmarc=pass for header.from = that domain, or, when it
 * reports no DMARC result other than pass, dkim=pass with header.d (or header.i) = that domain exactly. Any DMARC
 * result other than pass, more than one From: header, or no header from the trusted server: not authenticated.
 */
export function senderVerdict(
  headerLines: readonly { key: string; line: string }[],
  fromAddress: string,
  trustedId: string | undefined,
): SenderVerdict {
  if (!trustedId) return { authenticated: false, reason: 'no trusted receiving server configured' };
  if (headerLines.filter((h) => h.key === 'from').length !== 1) {
    return { authenticated: false, reason: 'not exactly one From: header' };
  }
  const want = trustedId.toLowerCase();
  const ours = headerLines
    .filter((h) => h.key === 'authentication-results')
    .map((h) => parseAuthResults(h.line.slice(h.line.indexOf(':') + 1)))
    .find((r) => r?.authservId === want);
  if (!ours) return { authenticated: false, reason: `no Authentication-Results from ${trustedId}` };
  const domain = domainOf(fromAddress);
  const dmarc = ours.results.filter((r) => r.method === 'dmarc');
  const bad = dmarc.find((r) => r.result !== 'pass');
  if (bad) return { authenticated: false, reason: `dmarc=${bad.result}` };
  if (dmarc.some((r) => domainOf(r.props['header.from']) === domain)) {
    return { authenticated: true, reason: `dmarc=pass for ${domain}` };
  }
  const dkim = ours.results.find(
    (r) =>
      r.method === 'dkim' &&
      r.result === 'pass' &&
      (domainOf(r.props['header.d']) === domain || domainOf(r.props['header.i']) === domain),
  );
  if (dkim) return { authenticated: true, reason: `dkim=pass signed by ${domain}` };
  return { authenticated: false, reason: `no passing DMARC or DKIM result for ${domain}` };
}
