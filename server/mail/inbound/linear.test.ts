/**
 * Every parsing and stripping step is linear in its input (issue 11 item 4, issue 14 class 6). Each hostile shape
 * is timed at n and 2n: linear work doubles, quadratic work quadruples, so the ratio is bounded. Then each shape is
 * parsed as a whole message of MAIL_MAX_BYTES (25 MB), which must take under 2 s.
 */
import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from '../../console/thread.js';
import { htmlToNewText, htmlToText } from './html-reply.js';
import { parseEmail } from './parse.js';
import { stripReply } from './reply-strip.js';

const MAIL_MAX_BYTES = 25 * 1024 * 1024;

/** One run, in ms. */
function once(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/**
 * The fastest of seven runs of each, interleaved: the machine is shared, and a burst of other work then slows
 * both sizes alike instead of just one; the minimum is the least noisy figure.
 */
function timePair(small: () => unknown, big: () => unknown): [number, number] {
  let a = Infinity;
  let b = Infinity;
  for (let i = 0; i < 7; i++) {
    a = Math.min(a, once(small));
    b = Math.min(b, once(big));
  }
  return [a, b];
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** A shape: how to build n units of it, and the function under test. */
interface Shape {
  name: string;
  unit: string;
  n: number;
  run: (s: string) => unknown;
  /** As the body of a message: text/plain or text/html. */
  type: 'text/plain' | 'text/html';
}

const text = (name: string, unit: string, n: number): Shape => ({ name, unit, n, run: stripReply, type: 'text/plain' });
const html = (name: string, unit: string, n: number, run: (s: string) => unknown = htmlToNewText): Shape => ({
  name,
  unit,
  n,
  run,
  type: 'text/html',
});

// n is half the size the issue names (the doubled run is at that size).
const SHAPES: Shape[] = [
  text('200 KB of blank lines', '\n', 100_000),
  text('50,000 separator lines', '-----\n', 25_000),
  text('50,000 signature delimiters', '--\n', 25_000),
  text('mobile footers', 'Sent from my iPhone\n', 10_000),
  text('attributions', 'On Mon, 1 Jan 2026 a@b.example wrote:\n', 5_000),
  text('quoted lines between text', 'text\n> quote\n', 20_000),
  text('header lines', 'From: a@b.example\nSent: Monday\n', 10_000),
  text('one long line', 'a', 100_000),
  text('history headings', 'Previous replies\n', 10_000),
  html('400 KB of unclosed <p tags', '<p ', 66_000),
  html('400 KB of unclosed <p tags (full text)', '<p ', 66_000, htmlToText),
  html('deeply nested blockquotes', '<blockquote>', 50_000),
  html('unclosed blockquote tags', '<blockquote type="', 30_000),
  html('unclosed comments', '<!--<a', 50_000),
  html('&nbsp; without a newline', '&nbsp;', 50_000),
  html('class attributes without a quote', '<div class="gmail', 30_000),
  html('<hr> runs', '<hr>', 50_000),
  html('unclosed attribute values', '<a href="x', 50_000),
];

describe('linear parsing and stripping', () => {
  for (const s of SHAPES) {
    it(`${s.name}: doubling the input at most triples the time`, () => {
      const small = 'Hello\n' + s.unit.repeat(s.n);
      const big = 'Hello\n' + s.unit.repeat(2 * s.n);
      s.run(small); // warm up the JIT
      const [a, b] = timePair(
        () => s.run(small),
        () => s.run(big),
      );
      // Linear work doubles and quadratic work quadruples; below ~30 ms the ratio is noise (GC, a busy core), and
      // the quadratic code this guards against took seconds at these sizes.
      expect(b, `${s.name}: ${a.toFixed(1)} ms → ${b.toFixed(1)} ms`).toBeLessThan(Math.max(3 * a, 100));
      expect(b).toBeLessThan(1000);
    });
  }
});

describe('whole hostile messages of MAIL_MAX_BYTES', () => {
  const message = (s: Shape) => {
    const head =
      'From: Mallory <m@attacker.example>\r\nTo: it@helpdesk.example\r\nSubject: hostile\r\n' +
      `Message-ID: <${s.name.replace(/\W+/g, '-')}@attacker.example>\r\nContent-Type: ${s.type}; charset=utf-8\r\n\r\n`;
    const body = s.unit.repeat(Math.floor((MAIL_MAX_BYTES - head.length) / s.unit.length));
    return Buffer.from(head + body);
  };
  for (const s of SHAPES) {
    it(`${s.name}: parsed in under 2 s`, async () => {
      const raw = message(s);
      const ms = await timeAsync(() => parseEmail(raw, { maxBytes: MAIL_MAX_BYTES }));
      expect(ms, `${s.name}: ${ms.toFixed(0)} ms for ${(raw.length / 1048576).toFixed(0)} MB`).toBeLessThan(2000);
    }, 30_000);
  }

  it('25 MB of header lines and a 1 MB subject: parsed in under 2 s', async () => {
    const lines = 'X-Junk: a\r\n'.repeat(Math.floor((MAIL_MAX_BYTES - 2_000_000) / 11));
    const raw = Buffer.from(
      `From: m@attacker.example\r\nSubject: ${'Re: '.repeat(250_000)}\r\n${lines}\r\nbody\r\n`,
      'latin1',
    );
    const ms = await timeAsync(() => parseEmail(raw, { maxBytes: MAIL_MAX_BYTES }));
    expect(ms).toBeLessThan(2000);
  }, 30_000);
});

describe('HTML handed on for display', () => {
  it('nesting that would make the sanitizer quadratic is shown as text instead', async () => {
    const hostile = '<div>'.repeat(20_000) + 'Please reset my password' + '</span>'.repeat(20_000);
    const raw = Buffer.from(
      `From: m@attacker.example\r\nSubject: deep\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${hostile}\r\n`,
    );
    const p = await parseEmail(raw);
    expect(p.text).toContain('Please reset my password');
    expect(p.html).not.toContain('<div><div>');
    const t0 = performance.now();
    sanitizeEmailHtml(p.html ?? '');
    expect(performance.now() - t0).toBeLessThan(200); // the raw HTML took sanitize-html 2 s
    // Ordinary HTML is handed on as it came.
    const ok = await parseEmail(
      Buffer.from('From: a@corp.example\r\nContent-Type: text/html\r\n\r\n<div><b>VPN</b> drops</div>\r\n'),
    );
    expect(ok.html).toContain('<b>VPN</b>');
  });
});
