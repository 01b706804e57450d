/**
 * Issue 12, item 5: POST /api/tickets with an Idempotency-Key. A retry gets the first attempt's 201 (the same
 * ticket, answer and suggestion), also when the first attempt committed and its answer never reached the client;
 * two racing attempts end with one ticket; the key is scoped to the address, refused when hostile, and the same key
 * for a different submission is a 422.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopedIdempotencyKey } from '../server/tickets/idempotency.js';
import { testDialect } from './support/db.js';
import { startTestServer, type TestServer } from './support/server.js';

describe(`Idempotency-Key on POST /api/tickets (${testDialect})`, () => {
  let s: TestServer;
  let n = 0;
  const person = () => `idem.${++n}.${Date.now()}@corp.example`;
  const submission = (email: string, issue = 'How do I set an automatic out of office reply in Outlook?') => ({
    name: 'Pat Doe',
    email,
    devCenter: 'Pune',
    issue,
  });
  const post = (json: object, key?: string) =>
    s.api('/api/tickets', { method: 'POST', json, headers: key === undefined ? {} : { 'Idempotency-Key': key } });
  const ticketsOf = (email: string) =>
    s.hd.db.models.Ticket.count({
      include: [{ model: s.hd.db.models.Requester, as: 'requester', where: { email } }],
    });
  /** The 201 body without the requester token (signed anew with a fresh expiry on every answer). */
  const stable = ({ requesterToken: _, ...rest }: Record<string, unknown>) => rest;

  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('answers a retry with the first 201 and creates one ticket (an AI-answered and a pool ticket)', async () => {
    for (const issue of [
      'How do I set an automatic out of office reply in Outlook?',
      'The projector in meeting room 4B shows no picture from my laptop.',
    ]) {
      const email = person();
      const key = randomUUID();
      const first = await post(submission(email, issue), key);
      expect(first.status).toBe(201);
      const a = await first.json();
      const again = await post(submission(email, issue), key);
      expect(again.status).toBe(201);
      const b = await again.json();
      expect(stable(b)).toEqual(stable(a));
      expect(typeof b.requesterToken).toBe('string');
      expect(await ticketsOf(email)).toBe(1);
      // Without a key every post is a ticket of its own, as before.
      expect((await post(submission(email, issue))).status).toBe(201);
      expect(await ticketsOf(email)).toBe(2);
    }
  });

  it('gives the 201 to a retry after the first attempt committed but its answer was lost', async () => {
    // What kill -9 between commit and answer leaves: the ticket stored with the key (here also before triage).
    const email = person();
    const key = randomUUID();
    const body = submission(email);
    const stored = await s.hd.tickets.storeUntriaged({
      ...body,
      channel: 'widget',
      idempotencyKey: scopedIdempotencyKey(key, email),
    });
    expect(stored.status).toBe('new');
    const r = await post(body, key);
    expect(r.status).toBe(201);
    const got = await r.json();
    expect(got).toMatchObject({ id: stored.id, ref: stored.ref });
    expect(got.status).not.toBe('new'); // the retry finished the triage the dead attempt never ran
    expect(await ticketsOf(email)).toBe(1);
    // And the next retry answers the same.
    expect(stable(await (await post(body, key)).json())).toEqual(stable(got));

    // The same after a complete first attempt whose 201 never arrived.
    const email2 = person();
    const done = await s.hd.tickets.createOnce({
      ...submission(email2),
      channel: 'widget',
      idempotencyKey: scopedIdempotencyKey(key, email2),
    });
    const r2 = await post(submission(email2), key);
    expect(r2.status).toBe(201);
    expect(await r2.json()).toMatchObject({ id: done.ticket.id, ref: done.ticket.ref, route: done.ticket.route });
    expect(await ticketsOf(email2)).toBe(1);
  });

  it('ends two racing posts with one key with one ticket, both answered with it', async () => {
    const emails = Array.from({ length: 8 }, person);
    const keys = emails.map(() => randomUUID());
    const answers = await Promise.all(
      emails.flatMap((email, i) => [post(submission(email), keys[i]), post(submission(email), keys[i])]),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(16).fill(201));
    const bodies = await Promise.all(answers.map((r) => r.json()));
    for (let i = 0; i < emails.length; i++) {
      expect(stable(bodies[2 * i + 1])).toEqual(stable(bodies[2 * i]));
      expect(await ticketsOf(emails[i]!)).toBe(1);
    }
  });

  it('refuses the same key for a different submission with 422, and keeps keys apart by address', async () => {
    const email = person();
    const key = randomUUID();
    const first = await (await post(submission(email), key)).json();
    for (const changed of [
      submission(email, 'My second monitor stays black after the docking station update.'),
      { ...submission(email), name: 'Someone Else' },
      { ...submission(email), devCenter: 'Kraków' },
    ]) {
      const r = await post(changed, key);
      expect(r.status).toBe(422);
      expect((await r.json()).error.code).toBe('idempotency_key_reused');
    }
    expect(await ticketsOf(email)).toBe(1);
    // Another address with the same key is another client: its own ticket, never the first one's.
    const other = person();
    const r = await post(submission(other), key);
    expect(r.status).toBe(201);
    const theirs = await r.json();
    expect(theirs.id).not.toBe(first.id);
    expect(await ticketsOf(other)).toBe(1);
  });

  it('refuses a hostile key with 400 and stores nothing', async () => {
    const email = person();
    for (const key of ['', 'x'.repeat(101), 'has space', 'tab\there', 'ünïcode', 'quote"', 'a,b', 'semi;colon']) {
      const r = await post(submission(email), key);
      expect(r.status, JSON.stringify(key)).toBe(400);
      const e = (await r.json()).error;
      expect(e.code).toBe('validation_failed');
      expect(e.message).toMatch(/Idempotency-Key/);
    }
    expect(await ticketsOf(email)).toBe(0);
    expect((await post(submission(email), 'x'.repeat(100))).status).toBe(201);
  });
});
