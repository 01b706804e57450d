/**
 * New text of an HTML reply: the text before the client's quote container (or signature block, or our reply-above
 * marker), then stripReply for what is left (attribution lines, header blocks, signatures). The conversion is one
 * linear pass (html-text.ts), so hostile HTML (400 KB of unclosed `<p `, 100,000 nested blockquotes) stays cheap.
 */
import { htmlText, type HtmlText } from './html-text.js';
import { stripReply } from './reply-strip.js';

/** Plain text of an HTML fragment: block elements become line breaks, tags go, entities are decoded. */
export function htmlToText(html: string): string {
  return htmlText(html).text;
}

/** New text of an already converted HTML part (see htmlText). */
export function newTextOf(h: HtmlText): string {
  const text = stripReply(h.before ?? h.text);
  // A reply that is nothing but a quote container (a bare forward) still deserves its text.
  return text || (h.before !== null ? stripReply(h.text) : '');
}

/** New text of an HTML-only reply: cut at the quote container, convert to text, then stripReply. */
export function htmlToNewText(html: string): string {
  return newTextOf(htmlText(html));
}
