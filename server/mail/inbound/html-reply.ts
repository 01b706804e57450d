/**
 * New text of an HTML-only reply: cut the HTML where the client's quote container starts, convert the rest to
 * plain text, then let stripReply handle what is left (attribution lines, header blocks, signatures).
 * Everything here is indexOf and single-pass regexes without nested quantifiers, so hostile HTML stays linear.
 */
import { stripReply } from './reply-strip.js';

/** Past this size the reply itself is long over; the remainder is quoted history or embedded images. */
const MAX_HTML_CHARS = 500_000;

// Where each client starts the quoted part. The cut goes to the start of the tag that carries the marker.
const QUOTE_MARKERS: RegExp[] = [
  /class\s*=\s*["']?[^"'>]{0,300}\bgmail_quote/i, // Gmail: <div class="gmail_quote"> holds "On … wrote:" and the quote
  /<blockquote[^>]{0,2000}type\s*=\s*["']?cite/i, // Apple Mail, Thunderbird (RFC 2392 cite)
  /class\s*=\s*["']?[^"'>]{0,300}\bmoz-cite-prefix/i, // Thunderbird's attribution line above the cite blockquote
  /id\s*=\s*["']?divRplyFwdMsg/i, // Outlook on the web / new Outlook
  /id\s*=\s*["']?OLK_SRC_BODY_SECTION/i, // Outlook for Mac
  /id\s*=\s*["']?appendonsend/i, // Outlook on the web, just above divRplyFwdMsg
  /border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)/i, // Outlook desktop: the header block's top border
  /class\s*=\s*["']?[^"'>]{0,300}\byahoo_quoted/i, // Yahoo Mail
  /<div[^>]{0,2000}class\s*=\s*["']?[^"'>]{0,300}\bzmail_extra/i, // Zoho
  /<blockquote/i, // any other client (mail.ru, Yandex) still quotes history in a blockquote
  /<hr[^>]{0,500}>\s{0,100}(?:<[^>]{1,500}>\s{0,100}){0,10}(?:From|Date|De|Von|От)\s*:/i, // Hotmail, Comcast: <hr> then a header block
];

/** Returns the start of the tag containing position `at`. */
function tagStart(html: string, at: number): number {
  const lt = html.lastIndexOf('<', at);
  return lt >= 0 ? lt : at;
}

/** Index where the quoted history starts in `html`, or -1. */
export function quoteStart(html: string): number {
  let best = -1;
  for (const re of QUOTE_MARKERS) {
    const m = re.exec(html);
    if (!m) continue;
    const at = m[0].startsWith('<') ? m.index : tagStart(html, m.index);
    if (best < 0 || at < best) best = at;
  }
  return best;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return safeCodePoint(parseInt(lower.slice(2), 16), whole);
    if (lower.startsWith('#')) return safeCodePoint(parseInt(lower.slice(1), 10), whole);
    return ENTITIES[lower] ?? whole;
  });
}

function safeCodePoint(n: number, fallback: string): string {
  return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : fallback;
}

/**
 * Removes comments and head/style/script/title elements with indexOf scans: the lazy-regex way
 * (/<!--[\s\S]*?-->/) is quadratic when a hostile message opens thousands of comments and never closes them.
 */
function dropInvisible(html: string): string {
  const lower = html.toLowerCase();
  const out: string[] = [];
  const opener = /<!--|<(head|style|script|title)[\s>]/g;
  let pos = 0;
  for (let m = opener.exec(lower); m; m = opener.exec(lower)) {
    out.push(html.slice(pos, m.index));
    const close = m[1] ? `</${m[1]}` : '-->';
    const end = lower.indexOf(close, m.index + m[0].length);
    if (end < 0) return out.join(''); // unclosed: the rest is invisible anyway
    pos = m[1] ? lower.indexOf('>', end) + 1 || lower.length : end + 3;
    opener.lastIndex = pos;
  }
  out.push(html.slice(pos));
  return out.join('');
}

/** Plain text of an HTML fragment: block elements become line breaks, tags go, entities are decoded. */
export function htmlToText(html: string): string {
  return decodeEntities(
    dropInvisible(html)
      .replace(/\s+/g, ' ') // HTML whitespace collapses; line structure comes from the tags below
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(?:p|div|tr|li|h[1-6]|blockquote|table|pre)\s*>/gi, '\n')
      .replace(/<(?:p|div|tr|li|h[1-6]|blockquote|table|pre|hr)\b[^>]*>/gi, '\n')
      .replace(/<[^<>]*>/g, ''),
  )
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n[ \t\u00a0]+/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** New text of an HTML-only reply: cut at the quote container, convert to text, then stripReply. */
export function htmlToNewText(html: string): string {
  const capped = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  const cut = quoteStart(capped);
  const head = cut >= 0 ? capped.slice(0, cut) : capped;
  const text = stripReply(htmlToText(head));
  // A reply that is nothing but a quote container (a bare forward) still deserves its text.
  return text || stripReply(htmlToText(capped));
}
