/**
 * Intake in batches (issue 12): storeMany stores a batch in one transaction, deduplicated against what is stored
 * and within the batch, a large message inserted on its own; processMany works the batch in order, so a reply in
 * the same batch as the mail it answers threads onto that mail's ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const mail = (id: string, body: string, head = '') =>
  Buffer.from(
    `From: Robin Vale <robin.vale@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: request ${id}\r\n` +
      `Message-ID: <${id}@corp.example>\r\n${head}Date: ${new Date().toUTCString()}\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );

describe('intake in batches', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({}, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('stores once per message, answers a repeat in the batch as a duplicate, and threads a reply in order', async () => {
    const before = mail('b-0', 'Teams crashes on start.');
    expect((await s.hd.intake.receive(before, 'imap')).status).toBe('created');
    const big = mail('b-big', `Log attached below.\r\n${'0123456789abcdef'.repeat(40_000)}`); // 640 KB: alone
    const raws = [
      mail('b-1', 'The VPN drops every hour.'),
      before, // stored before the batch
      mail('b-1', 'The VPN drops every hour.'), // twice in the batch
      mail('b-2', 'Any news? It dropped again.', 'In-Reply-To: <b-1@corp.example>\r\n'),
      big,
    ];
    const stored = await s.hd.intake.storeMany(raws, 'imap');
    expect(stored.map((x) => Object.keys(x)[0])).toEqual(['row', 'result', 'sameAs', 'row', 'row']);
    const results = await s.hd.intake.processMany(stored);
    expect(results.map((r) => r?.status)).toEqual(['created', 'duplicate', 'duplicate', 'commented', 'created']);
    expect(results[3]!.ticketId).toBe(results[0]!.ticketId);
    expect(results[2]!.inboundId).toBe(results[0]!.inboundId);
    const { InboundEmail } = s.hd.db.models;
    const rows = await InboundEmail.findAll({ order: [['id', 'ASC']] });
    expect(rows.map((r) => r.messageId)).toEqual([
      'b-0@corp.example',
      'b-1@corp.example',
      'b-2@corp.example',
      'b-big@corp.example',
    ]);
    // Every row is the one processMany answered for, its raw bytes whole, its claim given up.
    for (const [i, r] of results.entries())
      if (r && i !== 1 && i !== 2) expect(rows.find((x) => x.id === r.inboundId)!.raw.equals(raws[i]!)).toBe(true);
    expect(rows.every((r) => r.status === 'processed' && r.claimedBy === null)).toBe(true);
  });
});
