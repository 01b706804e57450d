/**
 * Bad input: the widget API and the inbound webhook (and through it, intake) get random, malformed, oversized and
 * hostile input. Each answer must be a clear JSON error or an acceptance, never a 5xx; the server keeps answering;
 * every accepted email has a row that reached a final state. FUZZ_SEED=n reproduces a run.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { corporaDir, need } from './support/availability.js';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from './support/server.js';
import { brokenMime, mutate, prng, widgetBody } from './support/fuzz.js';
import { rawRequest } from './support/post.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const MAX_BYTES = 2 * 1024 * 1024;

/** Every .eml/.raw file under dir. */
function mailFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? mailFiles(p) : /\.(eml|raw)$/.test(f) ? [p] : [];
  });
}

describe('fuzzing the widget API and the inbound webhook', () => {
  let s: TestServer;
  const accepted: { inboundId: number; status: number; label: string }[] = [];

  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0', MAIL_MAX_BYTES: String(MAX_BYTES) }, { jobs: false });
  });
  afterAll(async () => {
    await s?.stop();
  });

  /**
   * Sends raw bytes; checks the answer is never a 5xx and that an error is the JSON error shape. rawRequest reads the
   * answer even when the server refuses an oversized body mid-upload, so a request that got no answer at all (a
   * crash, a reset) fails here instead of passing for a 413.
   */
  async function send(pathname: string, body: Buffer | string, label: string, headers: Record<string, string> = {}) {
    const r = await rawRequest(s.url + pathname, {
      body,
      headers: { 'content-type': 'application/json', ...headers },
    }).catch((err) => {
      throw new Error(`${label}: ${err.message}`);
    });
    const text = r.text;
    const ctx = `${label} → ${r.status} ${text.slice(0, 300)}`;
    expect(r.status, ctx).toBeLessThan(500);
    expect(r.headers['content-type'], ctx).toContain('application/json');
    const json = JSON.parse(text);
    // A quarantined email (422) answers with the intake result and its reason instead of the error shape.
    if (r.status === 422 && json.status === 'failed') expect(typeof json.reason, ctx).toBe('string');
    else if (r.status >= 400) {
      expect(typeof json.error?.code, ctx).toBe('string');
      expect(typeof json.error?.message, ctx).toBe('string');
    }
    return { status: r.status, json };
  }

  it('answers every malformed widget request with a 4xx JSON error or creates exactly one ticket', async () => {
    const r = prng(SEED);
    const created: number[] = [];
    const kinds = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const b = widgetBody(r);
      const label = `widget #${i} (${b.kind}, seed ${SEED})`;
      const headers: Record<string, string> = b.contentType === undefined ? {} : { 'content-type': b.contentType };
      const res = await send('/api/tickets', b.body, label, headers);
      kinds.set(`${b.kind.split(':')[0]} ${res.status}`, (kinds.get(`${b.kind.split(':')[0]} ${res.status}`) ?? 0) + 1);
      if (res.status === 201 && res.json.id) created.push(res.json.id);
      else expect([201, 400, 413, 415], label).toContain(res.status);
      if (i % 50 === 0) expect((await fetch(s.url + '/healthz')).status).toBe(200);
    }
    console.info('widget fuzz outcomes:', Object.fromEntries([...kinds].sort()));
    // Nothing lost, nothing doubled: each 201 is one stored ticket.
    expect(new Set(created).size).toBe(created.length);
    expect(await s.hd.db.models.Ticket.count({ where: { channel: 'widget' } })).toBe(created.length);
    expect(created.length).toBeGreaterThan(5); // the fuzzer must also reach the success path
  }, 120_000);

  /** Posts one raw message to the webhook and records what it must have left in the database. */
  async function postMail(raw: Buffer, label: string) {
    const res = await send('/api/inbound/email', raw, label, {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
      'content-type': 'message/rfc822',
    });
    if (res.status === 413) {
      expect(raw.length, label).toBeGreaterThan(MAX_BYTES * 2);
      return res;
    }
    if (raw.length === 0) return res;
    expect([200, 202, 422], `${label} → ${res.status} ${JSON.stringify(res.json)}`).toContain(res.status);
    expect(res.json.inboundId, label).toBeGreaterThan(0);
    if (res.status === 422) expect(res.json.status, label).toBe('failed');
    accepted.push({ inboundId: res.json.inboundId, status: res.status, label });
    return res;
  }

  it('needs the admin token for the webhook', async () => {
    const r = await send('/api/inbound/email', 'From: a@b\r\n\r\nx', 'no token');
    expect(r.status).toBe(401);
  });

  it.runIf(need('MIME corpus', corporaDir() !== null, '../shared/corpora/mime'))(
    'takes in every message of the MIME corpus, broken ones included',
    async () => {
      const files = mailFiles(path.join(corporaDir()!, 'mime'));
      // The broken ones always; a seeded sample of the rest keeps the run to seconds.
      const r = prng(SEED + 1);
      const broken =
        /bad|broken|malform|missing|fail|error|invalid|low-quality|endless|partial|false|no-ctype|dashed|long|garbage|spam/i;
      const chosen = files.filter((f) => broken.test(path.relative(corporaDir()!, f)) || r.next() < 0.25);
      expect(chosen.length).toBeGreaterThan(40);
      for (const f of chosen) await postMail(readFileSync(f), `corpus ${path.relative(corporaDir()!, f)}`);
    },
    180_000,
  );

  it('takes in generated broken messages: missing boundaries, bad charsets, huge headers, deep nesting, garbage', async () => {
    const r = prng(SEED + 2);
    const kinds = new Map<string, number>();
    for (let i = 0; i < 120; i++) {
      const g = brokenMime(r, `gen-${SEED}-${i}`);
      const res = await postMail(g.raw, `generated #${i} (${g.kind}, seed ${SEED})`);
      kinds.set(`${g.kind} ${res.status}`, (kinds.get(`${g.kind} ${res.status}`) ?? 0) + 1);
    }
    // Mutations of a well-formed message: a few bytes flipped, inserted or cut anywhere.
    const base = Buffer.from(
      'From: Mia <mia@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: printer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="q"\r\n\r\n--q\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe printer on floor 2 is jammed.\r\n--q\r\nContent-Type: text/html\r\n\r\n<p>The printer on floor 2 is <b>jammed</b>.</p>\r\n--q--\r\n',
    );
    for (let i = 0; i < 80; i++) {
      const raw = Buffer.concat([Buffer.from(`Message-ID: <mut-${SEED}-${i}@fuzz.example>\r\n`), mutate(r, base)]);
      const res = await postMail(raw, `mutation #${i} (seed ${SEED})`);
      kinds.set(`mutation ${res.status}`, (kinds.get(`mutation ${res.status}`) ?? 0) + 1);
    }
    // Over twice MAIL_MAX_BYTES: refused with 413 before intake.
    const big = await send('/api/inbound/email', Buffer.alloc(MAX_BYTES * 2 + 1024, 'a'), 'oversized mail', {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
    });
    expect(big.status).toBe(413);
    expect(
      (await send('/api/inbound/email', '', 'empty mail', { authorization: `Bearer ${TEST_ADMIN_TOKEN}` })).status,
    ).toBe(400);
    console.info('mail fuzz outcomes:', Object.fromEntries([...kinds].sort()));
    expect((await fetch(s.url + '/healthz')).status).toBe(200);
  }, 180_000);

  it('stores the same message delivered ten times at once exactly once', async () => {
    const raw = Buffer.from(
      'From: Lee <lee@corp.example>\r\nSubject: same\r\nMessage-ID: <concurrent-1@fuzz.example>\r\n\r\nMy screen flickers.\r\n',
    );
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => postMail(raw, `concurrent copy ${i}`)));
    expect(new Set(all.map((a) => a.json.inboundId)).size).toBe(1);
    expect(await s.hd.db.models.InboundEmail.count({ where: { dedupeKey: 'concurrent-1@fuzz.example' } })).toBe(1);
    expect(await s.hd.db.models.Message.count({ where: { emailMessageId: 'concurrent-1@fuzz.example' } })).toBe(1);
  });

  it('lost nothing: every accepted email has a row in a final state, failures with a reason', async () => {
    expect(accepted.length).toBeGreaterThan(100);
    const rows = new Map(
      (await s.hd.db.models.InboundEmail.findAll({ attributes: ['id', 'status', 'reason', 'ticketId'] })).map((r) => [
        r.id,
        r,
      ]),
    );
    for (const a of accepted) {
      const row = rows.get(a.inboundId);
      expect(row, a.label).toBeDefined();
      // 'received' would mean processing threw: the recovery job would retry it forever-ish, a bug either way.
      expect(['processed', 'ignored', 'failed'], `${a.label}: ${row!.status} ${row!.reason}`).toContain(row!.status);
      if (row!.status === 'failed') expect(row!.reason, a.label).toBeTruthy();
      if (row!.status === 'processed') expect(row!.ticketId, a.label).toBeGreaterThan(0);
      if (a.status === 422) expect(row!.status, a.label).toBe('failed');
    }
    expect((await fetch(s.url + '/healthz')).status).toBe(200);
  });
});
