/**
 * From the MIME tree to what the sender wrote. The inline parts of a mixed message are the body, in order (a mail
 * client's HTML body, then a gateway's plain-text disclaimer, is one body of two parts); of the alternatives of a
 * multipart/alternative the plain text is read (the sender's client wrote it, and our stripping works best on it)
 * unless it is empty, and the HTML one is kept for display. Quoted history and signatures are then cut from the
 * whole body, so a disclaimer below the quote goes with the quote.
 */
import libmime from 'libmime';
import { type Decoded, decodeText } from './charset.js';
import { htmlText } from './html-text.js';
import type { MimeTree } from './mime-walk.js';
import { stripReply, toLf } from './reply-strip.js';
import type { BodyPart } from './types.js';

interface Piece {
  type: BodyPart['contentType'];
  decoded: Decoded;
  /** Plain text of the piece (HTML converted). */
  text: string;
  /** For HTML: the text before the quote container, if there is one. */
  before: string | null;
  /** For display: the raw HTML, or the text to be escaped. */
  html: string | null;
}

interface Choice {
  text: Piece[];
  display: Piece[];
}

/** <meta charset> or http-equiv in the first few KB of an HTML part whose MIME header declares none. */
function metaCharset(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 4096).toString('latin1');
  return /<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w:.-]{1,40})/i.exec(head)?.[1] ?? null;
}

/**
 * The bytes of a part that are read as text: 4 MB. Past that it is not a message anyone wrote (intake keeps 1 MB
 * of full text, and HTML past 4 MB is not read either), and every step after this stays bounded.
 */
const MAX_PART_BYTES = 4 * 1024 * 1024;

function piece(t: MimeTree): Piece {
  const all = t.content ?? Buffer.alloc(0);
  const bytes = all.length > MAX_PART_BYTES ? all.subarray(0, MAX_PART_BYTES) : all;
  if (t.kind === 'html') {
    const decoded = decodeText(bytes, t.node.charset || metaCharset(bytes));
    const h = htmlText(decoded.text);
    // HTML that would stall a sanitizer is shown as its text (escaped) instead; the raw message keeps it.
    return { type: 'text/html', decoded, text: h.text, before: h.before, html: h.renderable ? decoded.text : null };
  }
  const decoded = decodeText(bytes, t.node.charset || null);
  const text = toLf(decoded.text);
  return { type: 'text/plain', decoded, text, before: null, html: null };
}

/** "From: … Subject: …" above an attached message's text, as mailparser shows it (and as a forward reads). */
function metaPiece(t: MimeTree): Piece | null {
  const h = t.node.headers;
  if (!h) return null;
  const lines = ['From', 'Date', 'Subject', 'To']
    .map((k) => {
      const v = h.getFirst(k.toLowerCase());
      return v ? `${k}: ${libmime.decodeWords(v).slice(0, 500)}` : null;
    })
    .filter((l): l is string => l !== null);
  if (!lines.length) return null;
  const text = lines.join('\n');
  return {
    type: 'message/rfc822',
    decoded: { text, charset: 'utf-8', source: 'default' },
    text,
    before: null,
    html: null,
  };
}

const blank = (p: Piece[]) => p.every((x) => !x.text.trim());

function choose(t: MimeTree): Choice {
  if (t.kind === 'attachment') return { text: [], display: [] };
  if (t.kind) {
    const p = piece(t);
    return { text: [p], display: [p] };
  }
  const kids = t.children.map(choose);
  if (t.multipart === 'alternative') {
    const plain = kids.find((k) => k.text.length && k.text.every((p) => p.type === 'text/plain') && !blank(k.text));
    const rich = [...kids].reverse().find((k) => !blank(k.text));
    const display = [...kids].reverse().find((k) => k.display.some((p) => p.type === 'text/html'));
    const text = plain?.text ?? rich?.text ?? [];
    return { text, display: display?.display ?? text };
  }
  const meta = t.node.parentNode && (t.node.parentNode as { rfc822?: boolean }).rfc822 ? metaPiece(t) : null;
  const pre = meta ? [meta] : [];
  return { text: [...pre, ...kids.flatMap((k) => k.text)], display: [...pre, ...kids.flatMap((k) => k.display)] };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

export interface Body {
  text: string;
  newText: string;
  html: string | null;
  parts: BodyPart[];
  charset: string | null;
}

/** The body of a message: full text, new text, HTML for display and the parts used. */
export function bodyOf(tree: MimeTree): Body {
  const { text: pieces, display } = choose(tree);
  const text = pieces.map((p) => p.text).join('\n\n');
  // The cut applies to the whole body: up to the first quote container, then stripReply over all of it.
  const upToQuote: string[] = [];
  let cut = false;
  for (const p of pieces) {
    upToQuote.push(p.before ?? p.text);
    if (p.before !== null) {
      cut = true;
      break;
    }
  }
  let newText: string;
  try {
    newText = stripReply(upToQuote.join('\n\n'));
    // A bare forward or a quote-only reply: the whole text rather than an empty comment.
    if (!newText && cut) newText = stripReply(text);
  } catch {
    newText = text; // stripping is a nicety; never lose the message over it
  }
  const html = display.some((p) => p.type === 'text/html')
    ? display.map((p) => p.html ?? `<div style="white-space:pre-wrap">${escapeHtml(p.text)}</div>`).join('<br/>\n')
    : null;
  const parts = pieces.map((p) => ({
    contentType: p.type,
    charset: p.decoded.charset,
    charsetSource: p.decoded.source,
    chars: p.text.length,
  }));
  return {
    text,
    newText,
    html,
    parts,
    charset: parts.find((p) => p.contentType !== 'message/rfc822')?.charset ?? null,
  };
}
