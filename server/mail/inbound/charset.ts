/**
 * Bytes of a text part (or a raw 8-bit header block) → text, in the charset the sender meant. The declared charset
 * is used when it decodes; otherwise (none declared, or one the bytes are not valid in) the charset is detected
 * with chardet and decoded with iconv-lite. Mail from Japanese, Chinese and Central European clients often sends
 * 8-bit text with no charset at all; decoding that as UTF-8 is mojibake.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import libmime from 'libmime';
import { rankCandidates } from './charset-guess.js';

export interface Decoded {
  text: string;
  /** The charset that decoded the bytes, lower-case ("utf-8", "shift_jis", "windows-1250", "us-ascii"). */
  charset: string;
  /** declared: the part's own label decoded it; detected: guessed from the bytes; default: plain ASCII. */
  source: 'declared' | 'detected' | 'default';
}

/** chardet reads at most this much (from the first 8-bit byte on): its verdict does not change past it. */
const SAMPLE_BYTES = 64 * 1024;
const REPLACEMENT = '\ufffd';

// ISO-2022-JP is 7-bit: ESC $ B / ESC $ @ (JIS X 0208), ESC ( J (JIS X 0201), ESC $ ( D (JIS X 0212).
const ISO2022_ESCAPES = ['\x1b$B', '\x1b$@', '\x1b(J', '\x1b$(D'].map((s) => Buffer.from(s, 'latin1'));
const hasIso2022 = (b: Buffer) => b.includes(0x1b) && ISO2022_ESCAPES.some((e) => b.includes(e));
const isJapanese7bit = (cs: string) => /^(?:iso-?2022-?jp|jis)/i.test(cs);

// WHATWG (every browser) reads ISO-8859-1 as windows-1252, and so do we: the C1 range is printable there.
const WINDOWS_OF: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  'iso-8859-2': 'windows-1250',
  'iso-8859-5': 'windows-1251',
  'iso-8859-7': 'windows-1253',
  'iso-8859-8': 'windows-1255',
  'iso-8859-9': 'windows-1254',
  'iso-8859-13': 'windows-1257',
  'us-ascii': 'windows-1252',
};

/** Canonical lower-case name ("SJIS" → "shift_jis", "latin1" → "iso-8859-1"), or null when iconv-lite lacks it. */
export function knownCharset(label: string | null | undefined): string | null {
  if (!label) return null;
  const own = label.trim().toLowerCase();
  // The label as sent when iconv-lite knows it (libmime would report iso-8859-1 as windows-1252).
  const name =
    /^[a-z0-9_.:-]{1,40}$/.test(own) && iconv.encodingExists(own) ? own : libmime.normalizeCharset(own).toLowerCase();
  if (isJapanese7bit(name)) return 'iso-2022-jp';
  if (/^utf-?7/.test(name)) return null; // RFC 2152 UTF-7 decodes "+…-" runs in ordinary text: never trusted
  return iconv.encodingExists(name) ? name : null;
}

const hasC1 = (b: Buffer) => {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80 && b[i]! <= 0x9f) return true;
  return false;
};

function decodeWith(bytes: Buffer, charset: string): string {
  if (charset === 'iso-2022-jp') return decodeJapanese(bytes);
  return iconv.decode(bytes, charset);
}

/** ISO-2022-JP with encoding-japanese (what libmime uses for it): iconv-lite has no codec for this charset. */
function decodeJapanese(bytes: Buffer): string {
  return Encoding.convert(bytes, { to: 'UNICODE', from: 'JIS', type: 'string' });
}

const count = (s: string, ch: string) => {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
};

/**
 * True when decoding `bytes` as `charset` produced replacement characters the bytes did not already hold. A few
 * broken sequences in otherwise good UTF-8 (a truncated line, one pasted Latin-1 byte) do not make the label wrong:
 * a wrong label breaks nearly every 8-bit character, and guessing again would garble the rest of the text.
 */
function decodesBadly(text: string, bytes: Buffer, charset: string): boolean {
  if (charset === 'utf-8') {
    if (isUtf8(bytes)) return false;
    let nonAscii = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) nonAscii++;
    const bad = count(text, REPLACEMENT);
    return bad > Math.max(2, nonAscii * 0.05);
  }
  const bad = count(text, REPLACEMENT);
  return bad > 0 && bad > count(bytes.toString('utf8'), REPLACEMENT);
}

/** The part of `bytes` chardet looks at: SAMPLE_BYTES from a little before the first 8-bit byte. */
function sample(bytes: Buffer): Buffer {
  if (bytes.length <= SAMPLE_BYTES) return bytes;
  let first = 0;
  while (first < bytes.length && bytes[first]! < 0x80) first++;
  const start = Math.max(0, Math.min(first - 256, bytes.length - SAMPLE_BYTES));
  return bytes.subarray(start, start + SAMPLE_BYTES);
}

/** Guesses the charset of 8-bit bytes: chardet's candidates in order, the first that decodes without loss. */
export function detectCharset(bytes: Buffer): string {
  if (hasIso2022(bytes) && isAscii(bytes)) return 'iso-2022-jp';
  if (!decodesBadly(bytes.toString('utf8'), bytes, 'utf-8')) return 'utf-8';
  const s = sample(bytes);
  const c1 = hasC1(s);
  const normalize = (label: string) => {
    const name = knownCharset(label);
    if (!name || name === 'utf-8' || /^utf-(?:16|32)/.test(name)) return null;
    return c1 && WINDOWS_OF[name] ? WINDOWS_OF[name]! : name;
  };
  for (const c of rankCandidates(s, normalize, decodeWith)) {
    if (!decodesBadly(decodeWith(s, c.name), s, c.name)) return c.name;
  }
  return 'windows-1252'; // decodes every byte; the most common 8-bit charset of undeclared Western mail
}

/** Decodes text bytes; see Decoded. `declared` is the part's charset label, if any. */
export function decodeText(bytes: Buffer, declared: string | null | undefined): Decoded {
  const label = knownCharset(declared);
  if (isAscii(bytes) && !hasIso2022(bytes)) {
    return { text: bytes.toString('latin1'), charset: label ?? 'us-ascii', source: label ? 'declared' : 'default' };
  }
  if (label && label !== 'us-ascii') {
    const name = hasC1(bytes) && WINDOWS_OF[label] ? WINDOWS_OF[label]! : label;
    const text = name === 'utf-8' ? bytes.toString('utf8') : decodeWith(bytes, name);
    if (!decodesBadly(text, bytes, name)) return { text, charset: name, source: 'declared' };
  }
  // No charset, US-ASCII with 8-bit bytes in it, a label we do not know, or one the bytes are not valid in.
  const charset = detectCharset(bytes);
  return { text: decodeWith(bytes, charset), charset, source: 'detected' };
}
