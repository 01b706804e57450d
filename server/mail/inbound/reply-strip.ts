/**
 * Cuts quoted history and signatures from a reply so only what the sender newly wrote becomes the ticket comment.
 * email-reply-parser (the port of GitHub's/willdurand's parser) decides which `>`-quoted fragments and signature
 * fragments are hidden; our line rules in front of it recognise what it misses (Outlook header blocks, localized
 * attributions wrapped over several lines, forwards, mobile footers, helpdesk markers).
 *
 * Linear by construction: one pass over the lines, cuts are indexes (never slice-in-a-loop or "is there content
 * above?" rescans), every line pattern runs on one bounded line (or a few joined ones) and none nests quantifiers.
 * 200 KB of blank lines or 50,000 separator lines used to take minutes here; see linear.test.ts.
 */
import EmailReplyParser from 'email-reply-parser';
import { isHistoryHeading, isReplyAboveMarker } from '../reply-marker.js';
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

/** Past this many characters the rest is history anyway; bounds the cost of a 766 KB quoted thread. */
const MAX_INPUT_CHARS = 200_000;
/**
 * email-reply-parser runs whole-text regexes (fixBrokenSignatures, e.g. /Op\s[\s\S]+?\n?schreef[\s\S]+:/) that go
 * cubic on crafted text: 8 KB of "Op schreef x" lines took 0.8 s. Only small, already-cut text goes to it (2 KB: ~17 ms).
 */
const MAX_LIBRARY_CHARS = 2_000;
/** Lines longer than this are body text, never a header, separator or footer; testing them is wasted work. */
const MAX_LINE_FOR_HEADER = 300;

const short = (line: string) => line.length <= MAX_LINE_FOR_HEADER;
// The empty line is by far the most common one (and the whole of some hostile input): no regex for it.
const isQuoted = (line: string) => line.length > 0 && /^\s*>/.test(line);
// Gmail's invisible tracking mark (U+1427) and zero-width characters make a line look non-empty.
const isBlank = (line: string) => line.length === 0 || /^[\s\u1427\u200b-\u200d\ufeff]*$/u.test(line);

// A finished sentence ends in a word and a full stop; "schrieb am Fr., 28." (a wrapped date) does not.
const SENTENCE_END = /\p{L}{3,}[.!?…]+\s*$/u;

/** How many lines (from i) form an attribution such as "On …, Name <a@b>\nwrote:", or 0. */
function attributionSpan(lines: string[], i: number): number {
  const first = lines[i]!;
  if (!short(first)) return 0;
  if (isAttribution(first)) return 1;
  // Only try to join wrapped lines when the first line looks like the start of one and is not a finished sentence.
  const maybeStart = ATTRIBUTION_START.test(first) || /<[^<>\s]*@|<\s*$/.test(first); // "Name <a@b>" or a wrapped "<"
  if (!maybeStart || SENTENCE_END.test(first)) return 0;
  let joined = first;
  for (let k = 1; k < 6 && i + k < lines.length; k++) {
    const raw = lines[i + k]!;
    if (!short(raw)) return 0;
    const next = raw.replace(/^\s*>\s?(?=\s*wrote)/i, '');
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
  if (!short(line) || !ANY_HEADER.test(line)) return false;
  let headers = 1;
  let hasFrom = FROM_HEADER.test(line);
  for (let k = i + 1; k < Math.min(lines.length, i + 7); k++) {
    const l = lines[k]!;
    if (short(l) && ANY_HEADER.test(l)) {
      headers++;
      hasFrom ||= FROM_HEADER.test(l);
    }
  }
  if (!hasFrom) return false;
  // A lone "From: Name <a@b>" after a blank line is how some webmails quote (willdurand's From/De/Van/Da cases).
  const lone = FROM_HEADER.test(line) && /<[^>\s]+@[^>\s]+>|\[mailto:/i.test(line) && i > 0 && isBlank(lines[i - 1]!);
  return headers >= 3 || (headers >= 2 && /@|mailto:/i.test(line)) || lone;
}

/** True when line i starts history that is not `>`-quoted: a marker, a forward, an Outlook header block. */
function startsHistory(lines: string[], i: number): boolean {
  const line = lines[i]!;
  if (!short(line)) return false;
  return ORIGINAL_MESSAGE.test(line) || FORWARDED.test(line) || isHistoryHeading(line) || isHeaderBlock(lines, i);
}

/**
 * Walks the lines top-down and keeps the new text: stops at unquoted history, drops `>` quotes and their
 * attributions. Returns the kept lines; `lookahead` memoises the next non-blank line so the scan stays linear.
 */
function cutHistory(lines: string[]): string[] {
  const kept: string[] = [];
  let content = 0; // non-blank lines in kept; never recounted
  // Blank lines around a dropped quote are the quote's, not the reply's (GitHub joins the kept fragments directly).
  let afterDrop = false;
  const drop = () => {
    while (kept.length && isBlank(kept.at(-1)!)) kept.pop();
    afterDrop = true;
  };
  let nextContentAt = -1; // index of the first non-blank line at or after the last query, cached
  const nextContent = (from: number): string | null => {
    if (nextContentAt < from) {
      nextContentAt = from;
      while (nextContentAt < lines.length && isBlank(lines[nextContentAt]!)) nextContentAt++;
    }
    return nextContentAt < lines.length ? lines[nextContentAt]! : null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isQuoted(line)) {
      drop();
      continue;
    }
    const blank = isBlank(line);
    if (afterDrop && blank) continue;
    const span = blank ? 0 : attributionSpan(lines, i);
    if (span > 0) {
      const after = nextContent(i + span);
      // Bottom-posting and inline replies quote with ">"; so do replies whose new text sits below the attribution.
      if ((after !== null && isQuoted(after)) || content === 0) {
        drop();
        i += span - 1;
        continue;
      }
      break;
    }
    afterDrop = false;
    if (!blank && startsHistory(lines, i)) {
      if (content > 0) break;
      return kept; // nothing new above the history: the caller falls back to the whole text
    }
    kept.push(line);
    if (!blank) content++;
  }
  return kept;
}

function isMobileSignature(line: string): boolean {
  if (!short(line) || !MOBILE_SIGNATURE.test(line)) return false;
  // "Sent from my desk, is much easier then my mobile phone." is a sentence, not a footer (GitHub's fixture).
  const words = line.trim().split(/\s+/).length;
  return (words <= 12 && !line.includes(',')) || /excuse|typo/i.test(line);
}

/** Removes a trailing signature: the first "-- " delimiter below some text, then mobile footers at the end. */
function cutSignature(lines: string[]): string[] {
  let end = lines.length;
  let first = 0;
  while (first < end && isBlank(lines[first]!)) first++;
  for (let i = Math.max(1, first + 1); i < end; i++) {
    if (short(lines[i]!) && SIG_DELIMITER.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  // Mailman and Outlook draw a long underscore rule above their footer ("riak-users mailing list …").
  for (let i = Math.max(1, end - 8); i < end; i++) {
    if (short(lines[i]!) && /^\s*_{10,}\s*$/.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  let content = 0;
  for (let i = 0; i < end; i++) if (!isBlank(lines[i]!)) content++;
  for (;;) {
    while (end > 0) {
      const last = lines[end - 1]!;
      if (isBlank(last)) end--;
      else if (short(last) && SEPARATOR.test(last)) {
        end--;
        content--;
      } else break;
    }
    if (end === 0 || content < 2 || !isMobileSignature(lines[end - 1]!)) break;
    end--;
    content--;
  }
  return end === lines.length ? lines : lines.slice(0, end);
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

/** Index of the first reply-above marker line (ours or another helpdesk's), or -1. */
function markerLine(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) if (isReplyAboveMarker(lines[i]!)) return i;
  return -1;
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

/** Joins lines, dropping leading blank lines and trailing whitespace, without a regex over the whole text. */
function joinTrimmed(lines: string[]): string {
  let i = 0;
  while (i < lines.length && /^[ \t]*$/.test(lines[i]!)) i++;
  return (i ? lines.slice(i) : lines).join('\n').trimEnd();
}

/** CRLF and bare CR to LF; split/join is several times faster than a regex replace on many short lines. */
export function toLf(text: string): string {
  if (!text.includes('\r')) return text;
  const lf = text.split('\r\n').join('\n');
  return lf.includes('\r') ? lf.split('\r').join('\n') : lf;
}

/** Splits text into lines (CRLF, CR or LF), capped at MAX_INPUT_CHARS. */
export function toLines(text: string): string[] {
  return toLf(text.slice(0, MAX_INPUT_CHARS)).split('\n');
}

/** Returns only the newly written part of a plain-text reply: quoted history, forwards and signatures removed. */
export function stripReply(text: string): string {
  let lines = toLines(text);
  // A reply-above marker is exact: everything from it on is the notification being answered, quoted or not.
  const marker = markerLine(lines);
  if (marker >= 0) {
    lines = lines.slice(0, marker);
    const above = joinTrimmed(cutSignature(cutHistory(lines)));
    return above.trim() ? libraryCut(above).trimEnd() : '';
  }
  const result = joinTrimmed(libraryCut(joinTrimmed(cutSignature(cutHistory(lines)))).split('\n'));
  if (result.trim()) return result;
  // Everything was history. A bare forward: its body is what the sender wants us to read.
  const body = skipForwardHeaders(lines);
  if (body) {
    const forwarded = joinTrimmed(cutSignature(cutHistory(body)));
    if (forwarded.trim()) return forwarded;
  }
  // A quote-only reply: better the whole text than an empty comment.
  return joinTrimmed(cutSignature(lines));
}
