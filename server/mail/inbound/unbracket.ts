/** Message-IDs and Content-IDs without their angle brackets, in linear time on any header value. */

/** Longest id we look at: RFC 5322 ids are short; a 1 MB "Message-ID" is hostile and is cut, not scanned. */
const MAX_ID_CHARS = 2000;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Trims whitespace and any run of "<" at the start and ">" at the end with index loops: /^<+|>+$/g restarts the
 * ">+" scan at every position of a long run of ">" not at the end, which is quadratic.
 */
export function unbracket(s: string | undefined | null): string | null {
  const t = (s ?? '').slice(0, MAX_ID_CHARS);
  let i = 0;
  let j = t.length;
  while (i < j && isSpace(t.charCodeAt(i))) i++;
  while (i < j && t.charCodeAt(i) === 0x3c) i++;
  while (j > i && isSpace(t.charCodeAt(j - 1))) j--;
  while (j > i && t.charCodeAt(j - 1) === 0x3e) j--;
  const out = t.slice(i, j).trim();
  return out ? out : null;
}
