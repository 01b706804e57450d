/**
 * Cuts quoted history and signatures from a reply so only what the sender newly wrote becomes the ticket comment.
 * email-reply-parser (the port of GitHub's/willdurand's parser) decides which `>`-quoted fragments and signature
 * fragments are hidden; our line rules in front of it recognise what it misses (Outlook header blocks, localized
 * attributions wrapped over several lines, forwards, mobile footers) and bound the work on hostile input.
 */
import EmailReplyParser from 'email-reply-parser';
import {
  ANY_HEADER,
  ATTRIBUTION_START,
  FORWARDED,
  FROM_HEADER,
  MAX_HEADER_CHARS,
  MOBILE_SIGNATURE,
  ORIGINAL_MESSAGE,
  SEPARATOR,
  SIG_DELIMITER,
  isAttribution,
} from './reply-patterns.js';

export { htmlToNewText } from './html-reply.js';

/** Past this many characters the rest is history anyway; bounds the cost of a 766 KB quoted thread. */
const MAX_INPUT_CHARS = 200_000;
/**
 * email-reply-parser runs whole-text regexes (fixBrokenSignatures, e.g. /Op\s[\s\S]+?\n?schreef[\s\S]+:/) that go
 * cubic on crafted text: 8 KB of "Op schreef x" lines took 0.8 s. Only small, already-cut text goes to it (2 KB: ~17 ms).
 */
const MAX_LIBRARY_CHARS = 2_000;
/** Lines longer than this are body text, never a header; testing them is wasted work. */
const MAX_LINE_FOR_HEADER = 300;

const isQuoted = (line: string) => /^\s*>/.test(line);
// Gmail's invisible tracking mark (U+1427) and zero-width characters make a line look non-empty.
const isBlank = (line: string) => /^[\s\u1427\u200b-\u200d\ufeff]*$/u.test(line);

// A finished sentence ends in a word and a full stop; "schrieb am Fr., 28." (a wrapped date) does not.
const SENTENCE_END = /\p{L}{3,}[.!?…]+\s*$/u;

/** How many lines (from i) form an attribution such as "On …, Name <a@b>\nwrote:", or 0. */
function attributionSpan(lines: string[], i: number): number {
  const first = lines[i]!;
  if (first.length > MAX_LINE_FOR_HEADER) return 0;
  if (isAttribution(first)) return 1;
  // Only try to join wrapped lines when the first line looks like the start of one and is not a finished sentence.
  const maybeStart = ATTRIBUTION_START.test(first) || /<[^<>\s]*@|<\s*$/.test(first); // "Name <a@b>" or a wrapped "<"
  if (!maybeStart || SENTENCE_END.test(first)) return 0;
  let joined = first;
  for (let k = 1; k < 6 && i + k < lines.length; k++) {
    const next = lines[i + k]!.replace(/^\s*>\s?(?=\s*wrote)/i, '');
    // A later line that is an attribution of its own ("On … wrote:") must not be glued to ordinary text above it.
    if (ATTRIBUTION_START.test(next) && isAttribution(next)) return 0;
    joined += ' ' + next.trim();
    if (joined.length > MAX_HEADER_CHARS) return 0;
    if (isAttribution(joined)) return k + 1;
    if (SENTENCE_END.test(next)) return 0;
  }
  return 0;
}

/** True when line i starts an Outlook-style quoted header block ("From: … Sent: … To: … Subject: …"). */
function isHeaderBlock(lines: string[], i: number): boolean {
  const line = lines[i]!;
  if (line.length > MAX_LINE_FOR_HEADER || !ANY_HEADER.test(line)) return false;
  let headers = 1;
  let hasFrom = FROM_HEADER.test(line);
  for (let k = i + 1; k < Math.min(lines.length, i + 7); k++) {
    const l = lines[k]!;
    if (l.length <= MAX_LINE_FOR_HEADER && ANY_HEADER.test(l)) {
      headers++;
      hasFrom ||= FROM_HEADER.test(l);
    }
  }
  if (!hasFrom) return false;
  // A lone "From: Name <a@b>" after a blank line is how some webmails quote (willdurand's From/De/Van/Da cases).
  const lone = FROM_HEADER.test(line) && /<[^>\s]+@[^>\s]+>|\[mailto:/i.test(line) && i > 0 && isBlank(lines[i - 1]!);
  return headers >= 3 || (headers >= 2 && /@|mailto:/i.test(line)) || lone;
}

function nextContent(lines: string[], from: number): string | null {
  for (let k = from; k < lines.length; k++) if (!isBlank(lines[k]!)) return lines[k]!;
  return null;
}

/** Walks the lines top-down and keeps the new text: stops at unquoted history, drops `>` quotes and their attributions. */
function cutHistory(lines: string[]): string[] {
  const kept: string[] = [];
  const hasContent = () => kept.some((l) => !isBlank(l));
  // Blank lines around a dropped quote are the quote's, not the reply's (GitHub joins the kept fragments directly).
  let afterDrop = false;
  const drop = () => {
    while (kept.length && isBlank(kept.at(-1)!)) kept.pop();
    afterDrop = true;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isQuoted(line)) {
      drop();
      continue;
    }
    if (afterDrop && isBlank(line)) continue;
    const span = isBlank(line) ? 0 : attributionSpan(lines, i);
    if (span > 0) {
      const after = nextContent(lines, i + span);
      // Bottom-posting and inline replies quote with ">"; so do replies whose new text sits below the attribution.
      if ((after !== null && isQuoted(after)) || !hasContent()) {
        drop();
        i += span - 1;
        continue;
      }
      break;
    }
    afterDrop = false;
    if (ORIGINAL_MESSAGE.test(line) || FORWARDED.test(line) || isHeaderBlock(lines, i)) {
      if (hasContent()) break;
      return kept; // nothing new above the history: the caller falls back to the whole text
    }
    kept.push(line);
  }
  return kept;
}

/** Removes a trailing signature: the first "-- " delimiter below some text, then mobile footers at the end. */
function cutSignature(lines: string[]): string[] {
  let out = lines;
  const delim = out.findIndex((l, i) => i > 0 && SIG_DELIMITER.test(l) && out.slice(0, i).some((x) => !isBlank(x)));
  if (delim > 0) out = out.slice(0, delim);
  // Mailman and Outlook draw a long underscore rule above their footer ("riak-users mailing list …").
  const rule = out.findIndex((l, i) => i >= out.length - 8 && /^\s*_{10,}\s*$/.test(l));
  if (rule > 0) out = out.slice(0, rule);
  for (;;) {
    while (out.length && (isBlank(out.at(-1)!) || SEPARATOR.test(out.at(-1)!))) out = out.slice(0, -1);
    const last = out.at(-1);
    if (last === undefined || !isMobileSignature(last) || out.filter((l) => !isBlank(l)).length < 2) break;
    out = out.slice(0, -1);
  }
  return out;
}

function isMobileSignature(line: string): boolean {
  if (!MOBILE_SIGNATURE.test(line)) return false;
  // "Sent from my desk, is much easier then my mobile phone." is a sentence, not a footer (GitHub's fixture).
  const words = line.trim().split(/\s+/).length;
  return (words <= 12 && !line.includes(',')) || /excuse|typo/i.test(line);
}

/** The lines after a leading forward marker and its header block, or null when the text does not start with one. */
function skipForwardHeaders(lines: string[]): string[] | null {
  let i = 0;
  while (i < lines.length && isBlank(lines[i]!)) i++;
  if (i >= lines.length || !(FORWARDED.test(lines[i]!) || ORIGINAL_MESSAGE.test(lines[i]!) || isHeaderBlock(lines, i)))
    return null;
  if (!isHeaderBlock(lines, i)) i++;
  // The header block ends at the first blank line; wrapped header values ("Subject: … \nspans …") stay inside it.
  while (i < lines.length && !isBlank(lines[i]!)) i++;
  return lines.slice(i);
}

const parser = new EmailReplyParser();

/**
 * Second opinion from email-reply-parser on quote headers: when it marks an unquoted fragment as quoted (a header
 * pattern we lack), cut there. Its signature rules are not applied: they cut "Best regards,\nName", which a ticket
 * comment should keep (Discourse's corpus agrees).
 */
function libraryCut(text: string): string {
  if (text.length > MAX_LIBRARY_CHARS || !text.trim()) return text;
  const fragments = parser.read(text).getFragments();
  const header = fragments.findIndex((f, i) => i > 0 && f.isQuoted() && !/^\s*>/.test(f.getContent()));
  if (header < 0) return text;
  const firstLine = fragments[header]!.getContent().trim().split('\n')[0]!;
  const at = firstLine ? text.indexOf(firstLine) : -1;
  return at > 0 && text.slice(0, at).trim() ? cutSignature(text.slice(0, at).split('\n')).join('\n') : text;
}

/** Returns only the newly written part of a plain-text reply: quoted history, forwards and signatures removed. */
export function stripReply(text: string): string {
  const normalized = text.slice(0, MAX_INPUT_CHARS).replace(/\r\n?/g, '\n');
  const lines = normalized.split('\n');
  let kept = cutSignature(cutHistory(lines));
  let result = libraryCut(kept.join('\n'));
  result = result.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
  if (result.trim()) return result;
  // Everything was history. A bare forward: its body is what the sender wants us to read.
  const body = skipForwardHeaders(lines);
  if (body) {
    const forwarded = cutSignature(cutHistory(body))
      .join('\n')
      .replace(/^(?:[ \t]*\n)+/, '')
      .trimEnd();
    if (forwarded.trim()) return forwarded;
  }
  // A quote-only reply: better the whole text than an empty comment.
  kept = cutSignature(lines);
  return kept
    .join('\n')
    .replace(/^(?:[ \t]*\n)+/, '')
    .trimEnd();
}
