/** Seeded generators for fuzzing: bad JSON for the widget API, broken MIME for intake. Same seed, same inputs. */

/** mulberry32: a small, fast PRNG; a failing case is reproduced by its seed and index. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}
export type Rng = ReturnType<typeof prng>;

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(50),
  '\u202egnp.exe',
  '<script>alert(1)</script>',
  "'; DROP TABLE tickets; --",
  '%s%n%x',
  '${7*7}',
  '{{7*7}}',
  '\r\n\r\nInjected: header',
  'x'.repeat(70_000),
  'ü'.repeat(5_000),
  '\t\n\v\f',
  'null',
  'undefined',
  '0',
];

/** A random JSON value of bounded depth, with the strings parsers and databases trip over. */
export function randomValue(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 6 : 9);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 1.5]);
    case 3:
    case 4:
      return r.pick(WEIRD_STRINGS);
    case 5:
      return 'str' + r.int(1000);
    case 6:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, () => [
          r.pick([
            'name',
            'email',
            'issue',
            'subject',
            'devCenter',
            'website',
            'requesterToken',
            '__proto__',
            'constructor',
            'x',
          ]),
          randomValue(r, depth + 1),
        ]),
      );
  }
}

const VALID = {
  name: 'Fuzz Person',
  email: 'fuzz@corp.example',
  issue: 'My laptop does not connect to the VPN.',
  subject: 'VPN',
  devCenter: null,
};

/** One widget request body (bytes) and a label saying what kind of abuse it is. */
export function widgetBody(r: Rng): { kind: string; body: Buffer | string; contentType?: string } {
  const k = r.int(12);
  const json = (v: unknown) => JSON.stringify(v);
  switch (k) {
    case 0:
      return { kind: 'random bytes', body: r.bytes(1 + r.int(2000)) };
    case 1: {
      const s = json({ ...VALID, issue: VALID.issue + r.int(1e6) });
      return { kind: 'truncated JSON', body: s.slice(0, r.int(s.length)) };
    }
    case 2:
      return {
        kind: 'malformed JSON',
        body: r.pick([
          '{',
          '[',
          '{"name":}',
          "{'name':'x'}",
          '{"a":1,}',
          'nul',
          '{"name":"x" "email":"y"}',
          '\ufeff{}',
          '{"issue":"\\u12"}',
          'NaN',
          '{"a":01}',
        ]),
      };
    case 3:
      return {
        kind: 'top-level non-object',
        body: r.pick(['null', '[]', '123', '"str"', 'true', '[{"name":"x"}]', '{}']),
      };
    case 4: {
      const field = r.pick(['name', 'email', 'issue', 'subject', 'devCenter', 'requesterToken', 'website']);
      return { kind: `wrong type: ${field}`, body: json({ ...VALID, [field]: randomValue(r) }) };
    }
    case 5:
      return { kind: 'random object', body: json(randomValue(r)) };
    case 6: {
      // Invalid UTF-8 sequences inside string values: overlong, lone continuation, truncated, 0xFF.
      const bad = r.pick([
        Buffer.from([0xc0, 0xaf]),
        Buffer.from([0x80]),
        Buffer.from([0xe2, 0x82]),
        Buffer.from([0xff, 0xfe]),
        Buffer.from([0xed, 0xa0, 0x80]),
      ]);
      return {
        kind: 'invalid UTF-8',
        body: Buffer.concat([
          Buffer.from('{"name":"A'),
          bad,
          Buffer.from(`","email":"u${r.int(1e6)}@corp.example","issue":"printer `),
          bad,
          Buffer.from(' broken"}'),
        ]),
      };
    }
    case 7: {
      const field = r.pick(['name', 'email', 'issue', 'subject', 'devCenter', 'requesterToken']);
      return {
        kind: `huge ${field}`,
        body: json({ ...VALID, [field]: r.pick(['x', 'é', '😀', '<b>']).repeat(20_000 + r.int(40_000)) }),
      };
    }
    case 8: {
      const n = 1_000 + r.int(100_000);
      return {
        kind: 'deeply nested',
        body:
          r.next() < 0.5
            ? '['.repeat(n) + ']'.repeat(n)
            : '{"a":'.repeat(Math.min(n, 40_000)) + '1' + '}'.repeat(Math.min(n, 40_000)),
      };
    }
    case 9:
      return { kind: 'oversized body', body: json({ ...VALID, issue: 'y'.repeat(300_000 + r.int(2_000_000)) }) };
    case 10: {
      if (r.next() < 0.5) {
        // Long but valid: every field at its limit (an address of ~200 characters is legal).
        const email = `${'l'.repeat(60)}${r.int(1e6)}@${'d'.repeat(60)}.${'e'.repeat(60)}.example`;
        return {
          kind: 'valid at the limits',
          body: json({
            name: 'N'.repeat(200),
            email,
            issue: 'i'.repeat(20_000),
            subject: 'S'.repeat(300),
            devCenter: 'D'.repeat(100),
          }),
        };
      }
      return {
        kind: 'wrong content type',
        body: json(VALID),
        contentType: r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']),
      };
    }
    default:
      return {
        kind: 'valid with weird strings',
        body: json({
          name: r.pick(WEIRD_STRINGS).slice(0, 150) || 'N',
          email: `w${r.int(1e6)}@corp.example`,
          issue: 'Issue: ' + r.pick(WEIRD_STRINGS).slice(0, 15_000),
          subject: r.pick(WEIRD_STRINGS).slice(0, 290),
        }),
      };
  }
}

const CRLF = '\r\n';
const head = (id: string, extra = '') =>
  `From: Fuzz <fuzz${id.length % 7}@corp.example>${CRLF}To: it@helpdesk.localhost${CRLF}Subject: fuzz ${id}${CRLF}Message-ID: <${id}@fuzz.example>${CRLF}Date: Tue, 24 Nov 2026 10:00:00 +0000${CRLF}${extra}`;

/** Nested multipart/mixed `depth` levels deep, a text leaf at the bottom. */
function nested(depth: number): string {
  let body = `Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}deep leaf${CRLF}`;
  for (let i = depth; i > 0; i--)
    body = `Content-Type: multipart/mixed; boundary="b${i}"${CRLF}${CRLF}--b${i}${CRLF}${body}--b${i}--${CRLF}`;
  return body;
}

/** One generated broken email (bytes) and what is wrong with it; `id` makes the Message-ID unique. */
export function brokenMime(r: Rng, id: string): { kind: string; raw: Buffer } {
  const k = r.int(16);
  const s = (kind: string, text: string) => ({ kind, raw: Buffer.from(text, 'latin1') });
  const utf = (kind: string, text: string) => ({ kind, raw: Buffer.from(text, 'utf8') });
  switch (k) {
    case 0:
      return s(
        'missing boundary parameter',
        head(
          id,
          `MIME-Version: 1.0${CRLF}Content-Type: multipart/mixed${CRLF}${CRLF}--x${CRLF}Content-Type: text/plain${CRLF}${CRLF}lost boundary${CRLF}--x--${CRLF}`,
        ),
      );
    case 1:
      return s(
        'boundary never used',
        head(id, `Content-Type: multipart/alternative; boundary="nope"${CRLF}${CRLF}just text, no parts${CRLF}`),
      );
    case 2:
      return s(
        'no final boundary',
        head(
          id,
          `Content-Type: multipart/mixed; boundary="z"${CRLF}${CRLF}--z${CRLF}Content-Type: text/plain${CRLF}${CRLF}first${CRLF}--z${CRLF}Content-Type: application/pdf; name="a.pdf"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}JVBERi0xLjQK!!!not base64`,
        ),
      );
    case 3:
      return s(
        'unknown charset',
        head(
          id,
          `Content-Type: text/plain; charset="x-unknown-${r.int(99)}"${CRLF}Subject: =?x-bogus?B?SGVsbG8=?=${CRLF}${CRLF}caf\xe9 na\xefve${CRLF}`,
        ),
      );
    case 4:
      return s(
        'bytes invalid for the declared charset',
        head(
          id,
          `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}\xc0\xaf\xff\xfe\xed\xa0\x80 broken utf-8${CRLF}`,
        ),
      );
    case 5:
      return s('huge header line', head(id, `X-Huge: ${'h'.repeat(1_000_000)}${CRLF}${CRLF}body${CRLF}`));
    case 6:
      return s(
        'huge subject',
        head(id, `${CRLF}`).replace(/Subject: [^\r]*/, `Subject: ${'Subject '.repeat(20_000)}`) + 'body' + CRLF,
      );
    case 7:
      return s(
        'ten thousand headers',
        head(id, Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v${CRLF}`).join('') + CRLF + 'body' + CRLF),
      );
    case 8:
      return s(`multipart nested 200`, head(id, nested(200)));
    case 9:
      return { kind: 'binary garbage', raw: r.bytes(10 + r.int(5000)) };
    case 10:
      return { kind: 'headers then binary', raw: Buffer.concat([Buffer.from(head(id, CRLF)), r.bytes(3000)]) };
    case 11:
      return s(
        'long ids and names',
        `From: "${'N'.repeat(1000)}" <${'a'.repeat(300)}@corp.example>${CRLF}Subject: long ids${CRLF}Message-ID: <${'m'.repeat(600)}-${id}@fuzz.example>${CRLF}In-Reply-To: <${'r'.repeat(900)}@x>${CRLF}References: ${Array.from({ length: 300 }, (_, i) => `<ref${i}-${'q'.repeat(40)}@x>`).join(' ')}${CRLF}${CRLF}body${CRLF}`,
      );
    case 12:
      return s(
        'long attachment name and type',
        head(
          id,
          `Content-Type: multipart/mixed; boundary="a"${CRLF}${CRLF}--a${CRLF}Content-Type: text/plain${CRLF}${CRLF}see file${CRLF}--a${CRLF}Content-Type: application/${'x'.repeat(400)}; name="${'f'.repeat(1000)}.txt"${CRLF}Content-Disposition: attachment; filename="${'f'.repeat(1000)}.txt"${CRLF}Content-ID: <${'c'.repeat(500)}>${CRLF}${CRLF}data${CRLF}--a--${CRLF}`,
        ),
      );
    case 13:
      return s(
        'bare CR / LF line ends',
        head(id, `${CRLF}body line${CRLF}`).replace(/\r\n/g, r.next() < 0.5 ? '\r' : '\n'),
      );
    case 14:
      return utf(
        'header without colon, 8-bit headers',
        `From: Zoë Ünïcode <zoe@corp.example>\r\nSubject: ünïcode 😀 ${id}\r\nMessage-ID: <${id}@fuzz.example>\r\nThis is not a header\r\nX-Emoji: 😀\r\n\r\nbody\r\n`,
      );
    default:
      return s(
        'bad encodings',
        head(
          id,
          `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: ${r.pick(['base64', 'quoted-printable', 'x-uuencode', 'bogus'])}${CRLF}${CRLF}=ZZ=\r\n!!!@@@===${CRLF}`,
        ),
      );
  }
}

/** Flips, inserts and deletes a few bytes of a message (keeps it roughly email-shaped). */
export function mutate(r: Rng, raw: Buffer): Buffer {
  const b = [...raw];
  for (let i = 0, n = 1 + r.int(12); i < n && b.length; i++) {
    const at = r.int(b.length);
    const op = r.int(3);
    if (op === 0) b[at] = r.int(256);
    else if (op === 1) b.splice(at, 0, ...r.bytes(1 + r.int(8)));
    else b.splice(at, 1 + r.int(8));
  }
  return Buffer.from(b);
}
