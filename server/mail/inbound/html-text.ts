/**
 * HTML → plain text in one linear pass, noting where the mail client's quoted history (or signature, or our
 * reply-above marker) starts. htmlparser2's Tokenizer is a state machine that reads every character once; its
 * Parser is not used because it keeps a stack of open elements (unshift/indexOf per tag: quadratic on 100,000
 * nested blockquotes). Regexes only ever see one bounded attribute value or one short text run.
 */
import { Tokenizer } from 'htmlparser2';
import { REPLY_ABOVE_ATTRIBUTE } from '../reply-marker.js';

/** HTML past this many characters is not read: the text that matters is long over (and fullText keeps 1 MB). */
export const MAX_HTML_CHARS = 4_000_000;
/** An attribute value longer than this is not looked at (a 2 MB style attribute is not a quote marker). */
const MAX_ATTR_CHARS = 1000;

export interface HtmlText {
  /** All visible text. */
  text: string;
  /** The text before the first quote container, signature block or reply-above marker; null when there is none. */
  before: string | null;
  /** True when the HTML was longer than MAX_HTML_CHARS and only its start was read. */
  truncated: boolean;
  /**
   * False when the HTML nests so deep, with so many closing tags, that a DOM-building parser (sanitize-html's
   * htmlparser2 Parser, a browser engine less so) would spend quadratic time on it: 20,000 <div> and 20,000
   * stray </span> took sanitize-html 2 s. Such HTML is not handed on for display; its text is.
   */
  renderable: boolean;
}

/** Void elements never open a level of nesting. */
const VOID = new Set('area base br col embed hr img input link meta param source track wbr'.split(' '));
/** Deepest nesting × closing tags above which HTML is not renderable (ordinary mail: well under 10^6). */
const MAX_NESTING_WORK = 20_000_000;

// Elements whose start or end is a line break in the text.
const BLOCK = new Set(
  (
    'address article aside blockquote br center dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 ' +
    'h6 header hr li main nav ol p pre section table tbody thead tfoot tr ul'
  ).split(' '),
);
// Elements whose content is never shown.
const INVISIBLE = new Set(['head', 'style', 'script', 'title', 'template', 'xml']);

/** The attributes the markers below look at; others are skipped while tokenizing. */
const MARKER_ATTRIBUTES = new Set(['class', 'id', 'style', 'data-smartmail', REPLY_ABOVE_ATTRIBUTE]);

/** Where each client starts its quoted part (class/id/type/style of the tag that opens it). */
function quoteMarker(tag: string, attrs: Map<string, string>): boolean {
  if (attrs.size === 0) return tag === 'blockquote';
  const cls = attrs.get('class') ?? '';
  const id = attrs.get('id') ?? '';
  if (tag === 'blockquote') return true; // Apple Mail, Thunderbird (type=cite), mail.ru, Yandex, …
  if (/\b(?:gmail_quote|moz-cite-prefix|yahoo_quoted|zmail_extra|protonmail_quote)\b/.test(cls)) return true;
  if (/^(?:divRplyFwdMsg|OLK_SRC_BODY_SECTION|appendonsend|mail-editor-reference-message-container)$/.test(id))
    return true;
  // Outlook desktop: the quoted header block's top border.
  return /border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)/i.test(attrs.get('style') ?? '');
}

/** Signature blocks that Gmail, Thunderbird and Apple Mail mark up; the reply ends there. */
function signatureMarker(attrs: Map<string, string>): boolean {
  if (attrs.size === 0) return false;
  return (
    /\b(?:gmail_signature|moz-signature)\b/.test(attrs.get('class') ?? '') ||
    attrs.get('data-smartmail') === 'gmail_signature' ||
    attrs.get('id') === 'AppleMailSignature' ||
    attrs.has(REPLY_ABOVE_ATTRIBUTE)
  );
}

// Hotmail and Comcast quote with an <hr> followed by a header block; the header must come within a few tokens.
const HR_HEADER = /^\s*(?:From|Date|De|Von|От|Van|Da|Fra|Från)\s*:/i;
const HR_WINDOW = 12;

/** Converts HTML to text; see HtmlText. Linear in the input; reads at most MAX_HTML_CHARS. */
export function htmlText(input: string): HtmlText {
  const truncated = input.length > MAX_HTML_CHARS;
  const html = truncated ? input.slice(0, MAX_HTML_CHARS) : input;
  const out: string[] = [];
  let cut = -1; // index into out where the history starts
  let space = true; // the last character written was whitespace (HTML whitespace collapses)
  let invisible: string | null = null;
  let pre = 0;
  let tag = '';
  const attrs = new Map<string, string>();
  let attrName = '';
  let attrValue = '';
  const title: string[] = []; // shown only when the body has no text at all (an HTML mail that is all <title>)
  let depth = 0;
  let maxDepth = 0;
  let closes = 0;
  let hrAt = -1; // out index of a recent <hr>, waiting to see whether a header block follows
  let sinceHr = 0;

  const write = (s: string) => {
    if (invisible === 'title' && title.length < 1000) title.push(s);
    if (invisible || !s) return;
    if (pre > 0) {
      out.push(s.replace(/\r\n?/g, '\n'));
      space = /\s$/.test(s);
      return;
    }
    // Collapse runs of whitespace across chunks without a regex that could see the whole text at once.
    let t = s.replace(/\s+/g, ' ');
    if (space && t.startsWith(' ')) t = t.slice(1);
    if (!t) return;
    out.push(t);
    space = t.endsWith(' ');
  };
  const newline = () => {
    if (invisible) return;
    out.push('\n');
    space = true;
  };
  const markCut = () => {
    if (cut < 0) cut = out.length;
  };
  const openTag = (selfClosing: boolean) => {
    if (!selfClosing && !VOID.has(tag)) maxDepth = Math.max(maxDepth, ++depth);
    // A <head> nobody closed ends where the body starts, as in a browser.
    if (invisible === 'head' && tag === 'body') invisible = null;
    if (invisible) return;
    if (INVISIBLE.has(tag)) {
      if (!selfClosing) invisible = tag;
      return;
    }
    if (hrAt >= 0 && ++sinceHr > HR_WINDOW) hrAt = -1;
    if (cut < 0 && (quoteMarker(tag, attrs) || signatureMarker(attrs))) markCut();
    if (tag === 'pre' && !selfClosing) pre++;
    if (tag === 'hr' && cut < 0) {
      hrAt = out.length;
      sinceHr = 0;
    }
    if (BLOCK.has(tag)) newline();
    else if (tag === 'td' || tag === 'th') write(' ');
  };

  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      onattribdata(start, end) {
        if (attrName && attrValue.length < MAX_ATTR_CHARS)
          attrValue += html.slice(start, Math.min(end, start + MAX_ATTR_CHARS));
      },
      onattribentity(cp) {
        if (attrName && attrValue.length < MAX_ATTR_CHARS) attrValue += String.fromCodePoint(cp);
      },
      onattribend() {
        if (attrName && !attrs.has(attrName)) attrs.set(attrName, attrValue);
        attrName = '';
        attrValue = '';
      },
      onattribname(start, end) {
        const name = end - start <= 40 ? html.slice(start, end).toLowerCase() : '';
        attrName = MARKER_ATTRIBUTES.has(name) ? name : ''; // the others are never looked at
        attrValue = '';
      },
      oncdata() {},
      onclosetag(start, end) {
        const name = html.slice(start, Math.min(end, start + 20)).toLowerCase();
        closes++;
        if (depth > 0) depth--;
        if (invisible) {
          if (name === invisible) invisible = null;
          return;
        }
        if (name === 'pre' && pre > 0) pre--;
        if (BLOCK.has(name)) newline();
      },
      oncomment() {},
      ondeclaration() {},
      onend() {},
      onopentagend() {
        openTag(false);
      },
      onopentagname(start, end) {
        tag = html.slice(start, Math.min(end, start + 20)).toLowerCase();
        attrs.clear();
      },
      onprocessinginstruction() {},
      onselfclosingtag() {
        openTag(true);
      },
      ontext(start, end) {
        const s = html.slice(start, end);
        if (hrAt >= 0 && !invisible && s.trim()) {
          if (cut < 0 && HR_HEADER.test(s.slice(0, 40))) cut = hrAt;
          hrAt = -1;
        }
        write(s);
      },
      ontextentity(cp) {
        write(cp === 0xa0 ? ' ' : String.fromCodePoint(cp));
      },
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  const text = tidy(out) || tidy(title);
  return {
    text,
    before: cut >= 0 ? tidy(out.slice(0, cut)) : null,
    truncated,
    renderable: maxDepth * closes <= MAX_NESTING_WORK,
  };
}

/**
 * Joins the chunks and tidies the lines: no spaces at line ends or starts, at most one blank line in a row. Done
 * line by line: /[ \t\u00a0]+\n/ over the whole text is quadratic on a long run of &nbsp; without a newline.
 */
function tidy(chunks: string[]): string {
  const lines = chunks.join('').split('\n');
  const kept: string[] = [];
  let blank = 0;
  for (const line of lines) {
    const t = line.replace(/^[ \t\u00a0]+/, '').trimEnd();
    if (!t) {
      if (++blank > 1 || kept.length === 0) continue;
    } else blank = 0;
    kept.push(t);
  }
  while (kept.length && !kept.at(-1)) kept.pop();
  return kept.join('\n');
}
