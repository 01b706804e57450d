/**
 * Strips obvious personal data from ticket text before it becomes a knowledge-base draft: email addresses, phone
 * numbers and the requester's names. It reports what it removed, so the agent reviewing the draft sees it and
 * decides (issue 11, item 7). Regular expressions only, each bounded, so the work stays linear in the text.
 *
 * Why not a library: the npm PII redactors either call a cloud API, are unmaintained, or know US phone formats
 * only; and the names that matter most here are the requester's, which only our own records know.
 */

export interface Removed {
  kind: 'email' | 'phone' | 'name';
  text: string;
}

export interface Personal {
  /** The requester's names as stored and as given on the ticket ("Ann Lee"). */
  names: (string | null | undefined)[];
  /** The requester's addresses. */
  emails: (string | null | undefined)[];
}

const EMAIL = /[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/gu;
// 7 to 15 digits (E.164) with the usual separators; an optional + or 00 in front. Bounded: no backtracking blow-up.
const PHONE = /(?<![\p{L}\p{N}.])(?:\+|00)?\(?\d[\d\s()./-]{5,24}\d(?![\p{L}\p{N}]|\.\d)/gu;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const DATE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$/;
const VERSION = /^\d+(?:\.\d+)+$/;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The name variants to look for: the full name, then each part of three letters or more (short ones are words). */
function nameVariants(p: Personal): string[] {
  const out = new Set<string>();
  for (const raw of p.names) {
    const full = (raw ?? '').trim().replace(/\s+/g, ' ');
    if (full.length < 2) continue;
    out.add(full);
    for (const part of full.split(/[\s,]+/)) if (part.replace(/[^\p{L}]/gu, '').length >= 3) out.add(part);
  }
  for (const e of p.emails) {
    const local = (e ?? '').split('@')[0] ?? '';
    if (/\p{L}/u.test(local) && local.length >= 3) out.add(local);
  }
  return [...out].sort((a, b) => b.length - a.length).slice(0, 20);
}

/** The text with personal data replaced by placeholders, and what was removed. */
export function redact(text: string, personal: Personal): { text: string; removed: Removed[] } {
  const removed: Removed[] = [];
  const note = (kind: Removed['kind'], t: string) => {
    if (!removed.some((r) => r.kind === kind && r.text.toLowerCase() === t.toLowerCase()))
      removed.push({ kind, text: t });
  };
  let out = text.replace(EMAIL, (m) => {
    note('email', m);
    return '[email removed]';
  });
  out = out.replace(PHONE, (m) => {
    const t = m.trim();
    const digits = t.replace(/\D/g, '').length;
    if (digits < 7 || digits > 15 || IPV4.test(t) || DATE.test(t) || VERSION.test(t)) return m;
    note('phone', t);
    return m.replace(t, '[phone removed]');
  });
  for (const name of nameVariants(personal)) {
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(name)}(?![\\p{L}\\p{N}])`, 'giu');
    out = out.replace(re, (m) => {
      note('name', m);
      return '[name removed]';
    });
  }
  return { text: out, removed: removed.slice(0, 50) };
}
