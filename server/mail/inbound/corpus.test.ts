/**
 * Every file in ../shared/corpora/mime (issue 14): each parses (or is refused as "not an email", for the
 * fixtures that are TNEF, RTF, PNG, JSON or notes), within the parse budget, and no text of an inline part is
 * lost. The reference for "the text" is mailparser's own reading of the same bytes (plain parts, or the HTML when
 * there is none); every word of it must be in our full text. Words mailparser could only read as mojibake
 * (U+FFFD, or a part whose charset we detected) and link targets it prints in brackets are not compared.
 * Prints, per corpus, the share handled correctly, text recovered from mixed messages, attachments kept and
 * charsets detected (the README's "Email parsing" table).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { corporaDir, need } from '../../../tests/support/availability.js';
import { htmlToText } from './html-reply.js';
import { parseEmail } from './parse.js';
import { PARSE_BUDGET_MS } from './parse-pool.js';

const root = corporaDir();
const mime = path.join(root ?? '', 'mime');

/** Words of three or more letters/digits; a token holding U+FFFD is mojibake, not a word anyone wrote. */
const words = (s: string) =>
  new Set(
    s
      .replace(/\[(?:https?|mailto|cid|file):[^\]\s]*\]|(?:https?|mailto|cid):\S+/gi, ' ')
      .toLowerCase()
      .split(/\s+/)
      .filter((t) => !t.includes('\ufffd'))
      .flatMap((t) => t.match(/[\p{L}\p{N}]{3,}/gu) ?? []),
  );

/**
 * Messages whose difference is by design: alternatives that say different things (we read the plain one; one
 * "plain" alternative is HTML source), text/plain parts that are inline *attachments* (named, inside
 * multipart/related), machine reports kept as attachments (message/feedback-report), and the header lines of
 * attached messages (mailparser prints the Date reformatted and Subjects of messages that we keep as message.eml).
 */
const BY_DESIGN = new Set([
  'jhillyerd-enmime/testdata/low-quality/bad-header-start.raw',
  'jhillyerd-enmime/testdata/low-quality/empty-header.raw',
  'jhillyerd-enmime/testdata/low-quality/missing-content-type2.raw',
  'jhillyerd-enmime/testdata/mail/mime-alternative.raw',
  'jhillyerd-enmime/testdata/parts/nestedmulti.raw',
  'jstedfast-MimeKit/messages/feedback-report.txt',
  'postalsys-postal-mime/arf.eml',
  'mailgun-flanker/quoted-printable.eml',
  'postalsys-postal-mime/mimetorture.eml',
]);

/** The names attachments.ts gives parts that came without one. */
const DERIVED_NAME =
  /^(?:attachment(?:-\d+)?\.[a-z0-9]+|(?:message|delivery-status|disposition-notification|feedback-report|headers|invite)(?:-\d+)?\.(?:eml|txt|ics))$/;

interface Row {
  files: number;
  handled: number;
  messages: number;
  refused: number;
  mixed: number;
  recovered: number;
  attachments: number;
  unnamed: number;
  detected: number;
  slowestMs: number;
}

describe.runIf(need('the email corpora', root !== null))('every file of the MIME corpora', () => {
  it('parses within the budget and loses no text of an inline part', async () => {
    const walk = (d: string): string[] =>
      readdirSync(d)
        .sort()
        .flatMap((f) => {
          const p = path.join(d, f);
          return statSync(p).isDirectory() ? walk(p) : [p];
        });
    const table: Record<string, Row> = {};
    const problems: string[] = [];
    const differences: string[] = [];
    for (const file of walk(mime)) {
      const rel = path.relative(mime, file).split(path.sep).join('/');
      const corpus = rel.split('/')[0]!;
      table[corpus] ??= {
        files: 0,
        handled: 0,
        messages: 0,
        refused: 0,
        mixed: 0,
        recovered: 0,
        attachments: 0,
        unnamed: 0,
        detected: 0,
        slowestMs: 0,
      };
      const row = table[corpus];
      row.files++;
      const raw = readFileSync(file);
      const t0 = performance.now();
      const parsed = await parseEmail(raw).then(
        (p) => ({ p, err: null }),
        (err: Error) => ({ p: null, err }),
      );
      const ms = performance.now() - t0;
      row.slowestMs = Math.max(row.slowestMs, Math.round(ms));
      if (ms > PARSE_BUDGET_MS) problems.push(`${rel}: ${ms.toFixed(0)} ms, over the budget`);
      if (!parsed.p) {
        // Not an email at all (a TNEF blob, an RTF body, a PNG, a note): a clear refusal is the right answer.
        if (/^not an email: /.test(parsed.err!.message)) {
          row.refused++;
          row.handled++;
        } else problems.push(`${rel}: threw ${parsed.err!.message}`);
        continue;
      }
      const p = parsed.p;
      row.messages++;
      row.attachments += p.attachments.length;
      row.unnamed += p.attachments.filter((a) => DERIVED_NAME.test(a.filename)).length;
      if (p.parts.some((x) => x.charsetSource === 'detected')) row.detected++;
      const ref = await simpleParser(raw, {
        keepDeliveryStatus: true,
        skipHtmlToText: true,
        skipTextLinks: true,
      }).catch(() => null);
      const ours = words(`${p.subject}\n${p.text}`);
      const detected = p.parts.some((x) => x.charsetSource === 'detected');
      let lost: string[] = [];
      if (ref) {
        const refText = ref.text?.trim() ? ref.text : typeof ref.html === 'string' ? htmlToText(ref.html) : '';
        lost = [...words(refText)].filter((w) => !ours.has(w) && (!detected || /^[\x21-\x7e]+$/.test(w)));
        // Mixed messages: what reading only one part (the text part, else the HTML) used to drop.
        const inline = p.parts.filter((x) => x.contentType !== 'message/rfc822');
        if (inline.length >= 2 && new Set(inline.map((x) => x.contentType)).size > 1) {
          row.mixed++;
          const old = words(ref.text?.trim() ? ref.text : typeof ref.html === 'string' ? htmlToText(ref.html) : '');
          if ([...words(p.text)].some((w) => !old.has(w))) row.recovered++;
        }
      }
      if (lost.length === 0) row.handled++;
      else if (BY_DESIGN.has(rel)) {
        row.handled++;
        differences.push(`${rel}: ${lost.slice(0, 6).join(' ')}`);
      } else problems.push(`${rel}: ${lost.length} words lost, e.g. ${lost.slice(0, 8).join(' ')}`);
    }
    const total = Object.values(table).reduce((a, r) => a + r.files, 0);
    process.stdout.write(`mime corpora: ${total} files\n`);
    for (const [corpus, r] of Object.entries(table))
      process.stdout.write(
        `  ${corpus}: ${r.handled}/${r.files} handled (${r.messages} messages, ${r.refused} refused as not email); ` +
          `mixed ${r.mixed} (${r.recovered} with text recovered); attachments ${r.attachments} (${r.unnamed} unnamed, ` +
          `named from their type); charsets detected in ${r.detected}; slowest ${r.slowestMs} ms\n`,
      );
    if (process.env.SHOW_FAILURES) for (const d of differences) process.stdout.write(`  by design: ${d}\n`);
    expect(problems).toEqual([]);
  }, 300_000);
});
