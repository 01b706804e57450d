/** Reply stripping measured against the public reply-parsing corpora (../shared/corpora/reply-parsing). */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corporaDir, need } from '../../../tests/support/availability.js';
import { stripReply } from './reply-strip.js';
import { htmlToNewText } from './html-reply.js';
import { parseEmail } from './parse.js';

const root = corporaDir();
const dir = (...p: string[]) => path.join(root ?? '', 'reply-parsing', ...p);
const read = (...p: string[]) => readFileSync(dir(...p), 'utf8');
const norm = (s: string) =>
  s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
const squash = (s: string) => s.replace(/\s+/g, '');

interface Assertion {
  kind: string;
  equals?: string;
  contains?: string;
  not_contains?: string;
  compare_ignoring_all_whitespace?: boolean;
}
interface Case {
  fixture: string;
  note?: string;
  assertions: Assertion[];
}

/** Scores the visible_text assertions of one expected.json; cases needing a custom parser regex (`note`) are skipped. */
function scoreVisibleText(corpus: string, fixtureDir: string, actualFor: (file: string) => string) {
  const cases = JSON.parse(read(corpus, 'expected.json')) as Case[];
  let ok = 0,
    total = 0;
  const failures: string[] = [];
  for (const c of cases) {
    if (c.note) continue;
    for (const a of c.assertions.filter((x) => x.kind === 'visible_text')) {
      total++;
      const got = actualFor(path.join(fixtureDir, c.fixture));
      const pass =
        a.equals !== undefined
          ? norm(got) === norm(a.equals)
          : a.contains !== undefined
            ? got.includes(a.contains)
            : !got.includes(a.not_contains ?? '\u0000');
      if (pass) ok++;
      else failures.push(`${c.fixture}: ${JSON.stringify(got.slice(0, 160))}`);
    }
  }
  return { ok, total, failures };
}

function report(name: string, r: { ok: number; total: number; failures: string[] }, what = 'stripped correctly') {
  process.stdout.write(`reply-parsing/${name}: ${r.ok}/${r.total} ${what}\n`);
  if (process.env.SHOW_FAILURES) for (const f of r.failures) process.stdout.write(`  FAIL ${f}\n`);
}

describe.runIf(need('the email corpora', root !== null))('stripReply on the reply-parsing corpora', () => {
  it('github/email_reply_parser: visible text', () => {
    const r = scoreVisibleText('github-email_reply_parser', 'emails', (f) =>
      stripReply(read('github-email_reply_parser', f)),
    );
    report('github-email_reply_parser', r);
    expect(r.ok).toBeGreaterThanOrEqual(r.total - 1);
  });

  it('zapier/email-reply-parser: visible text', () => {
    const r = scoreVisibleText('zapier-email-reply-parser', 'emails', (f) =>
      stripReply(read('zapier-email-reply-parser', f)),
    );
    report('zapier-email-reply-parser', r);
    expect(r.ok).toBeGreaterThanOrEqual(r.total - 1);
  });

  it('willdurand/EmailReplyParser: visible text in many locales', () => {
    const r = scoreVisibleText('willdurand-EmailReplyParser', '', (f) =>
      stripReply(read('willdurand-EmailReplyParser', f)),
    );
    report('willdurand-EmailReplyParser', r);
    expect(r.ok).toBeGreaterThanOrEqual(r.total - 2);
  });

  it('discourse/email_reply_trimmer: trimmed bodies', () => {
    const files = readdirSync(dir('discourse-email_reply_trimmer', 'emails')).filter((f) => f.endsWith('.txt'));
    const failures: string[] = [];
    let ok = 0;
    for (const f of files) {
      const got = stripReply(read('discourse-email_reply_trimmer', 'emails', f));
      if (norm(got) === norm(read('discourse-email_reply_trimmer', 'trimmed', f))) ok++;
      else failures.push(`${f}: ${JSON.stringify(got.slice(0, 160))}`);
    }
    report('discourse-email_reply_trimmer', { ok, total: files.length, failures }, 'trimmed correctly');
    // The misses are mostly by design: Discourse keeps a leading "> quote" for context, we drop quotes.
    expect(ok).toBeGreaterThanOrEqual(55);
  });

  it('mailgun/talon: real client .eml replies and HTML replies', async () => {
    const cases = (JSON.parse(read('mailgun-talon', 'expected.json')) as Case[]).filter((c) =>
      /standard_replies|html_replies/.test(c.fixture),
    );
    // talon keeps mobile footers and "-- " signatures in its expectation; we cut them by design.
    const bySignatureDesign: Record<string, string> = { 'iphone.eml': 'Hello', 'sparrow.eml': 'Hello' };
    let ok = 0;
    const failures: string[] = [];
    for (const c of cases) {
      const a = c.assertions[0]!;
      const file = dir('mailgun-talon', c.fixture);
      const got = c.fixture.endsWith('.eml')
        ? (await parseEmail(readFileSync(file))).newText
        : htmlToNewText(readFileSync(file, 'utf8'));
      const want = bySignatureDesign[path.basename(c.fixture)] ?? a.equals ?? '';
      const pass = a.compare_ignoring_all_whitespace ? squash(got) === squash(want) : norm(got) === norm(want);
      if (pass) ok++;
      else failures.push(`${c.fixture}: ${JSON.stringify(got.slice(0, 160))}`);
    }
    report('mailgun-talon', { ok, total: cases.length, failures });
    expect(ok).toBeGreaterThanOrEqual(cases.length - 1);
  });

  it('talon edge cases: OLK_SRC_BODY_SECTION, <hr>-separated, shared quote block', async () => {
    expect(norm(htmlToNewText(read('mailgun-talon', 'fixtures', 'OLK_SRC_BODY_SECTION.html')))).toBe('Reply');
    expect(
      norm(htmlToNewText(read('mailgun-talon', 'fixtures', 'reply-separated-by-hr.html'))).replace(/\s+/g, ' '),
    ).toBe('Hi there Bob');
    const shared = await parseEmail(readFileSync(dir('mailgun-talon', 'fixtures', 'reply-quotations-share-block.eml')));
    expect(shared.newText.length).toBeGreaterThan(0);
    expect(shared.newText.length).toBeLessThan(shared.text.length);
  });

  it('is fast on the ReDoS fixture and the 766 KB quote (< 100 ms each)', () => {
    for (const f of ['pathological.txt', 'email_long_quote.txt']) {
      const body = read('github-email_reply_parser', 'emails', f);
      const t0 = performance.now();
      stripReply(body);
      htmlToNewText(`<div>${body}</div>`);
      const ms = performance.now() - t0;
      process.stdout.write(`reply-parsing/github-email_reply_parser/${f}: ${ms.toFixed(1)} ms\n`);
      expect(ms).toBeLessThan(100);
    }
  });
});

describe('stripReply and htmlToNewText on hand-made cases', () => {
  it('cuts an English attribution and the quote below it', () => {
    expect(
      stripReply('It works now, thanks!\r\n\r\nOn Mon, 1 Jan 2026, IT <it@helpdesk.example> wrote:\r\n> old text\r\n'),
    ).toBe('It works now, thanks!');
  });

  it('cuts an Outlook header block and a mobile footer', () => {
    const body =
      'Fixed.\n\nSent from my iPhone\n\n________________________________\nFrom: IT <it@x.example>\nSent: Monday\nTo: a@b.example\nSubject: Re: x\n\nold';
    expect(stripReply(body)).toBe('Fixed.');
  });

  it('keeps inline answers between quoted lines', () => {
    expect(
      stripReply(
        'On Mon, 1 Jan 2026, IT <it@x.example> wrote:\n> Which printer?\nThe one on floor 2.\n> Since when?\nToday.',
      ),
    ).toBe('The one on floor 2.\nToday.');
  });

  it('cuts a Gmail HTML reply at gmail_quote', () => {
    const html =
      '<div dir="ltr">New answer</div><br><div class="gmail_quote"><div>On Mon, IT wrote:</div><blockquote>old</blockquote></div>';
    expect(htmlToNewText(html)).toBe('New answer');
  });

  it('stays linear on unclosed comments and tags', () => {
    const t0 = performance.now();
    htmlToNewText('<!--<a'.repeat(50_000) + '<blockquote'.repeat(20_000));
    stripReply('On '.repeat(100_000) + '\n' + '> \n'.repeat(50_000));
    stripReply('Op schreef x\n'.repeat(20_000)); // cubic in email-reply-parser's own regexes unless we bound its input
    expect(performance.now() - t0).toBeLessThan(2000); // quadratic behaviour here would take minutes
  });
});
