/** The raw-MIME webhook: the same intake as IMAP, for mail servers that pipe or forward. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const eml = (o: { id?: string; from?: string; subject?: string; body?: string; extra?: string }) =>
  Buffer.from(
    `From: ${o.from ?? 'Gil <gil@corp.example>'}\r\nTo: it@helpdesk.localhost\r\nSubject: ${o.subject ?? 'monitor'}\r\n${o.id ? `Message-ID: <${o.id}>\r\n` : ''}` +
      `MIME-Version: 1.0\r\n${o.extra ?? 'Content-Type: text/plain; charset=utf-8\r\n\r\n' + (o.body ?? 'My monitor flickers since the dock update.')}\r\n`,
  );

describe('inbound email webhook', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ MAIL_MAX_BYTES: '20000' }, { jobs: false });
  });
  afterAll(async () => s?.stop());
  const post = (body: Buffer, admin = true) => s.inbound(body, admin);

  it('needs the admin token and a body', async () => {
    expect((await post(eml({ id: 'w0@corp.example' }), false)).status).toBe(401);
    expect((await post(Buffer.alloc(0))).status).toBe(400);
  });

  it('opens a ticket, and a re-delivery of the same message is harmless', async () => {
    const r1 = await post(eml({ id: 'w1@corp.example' }));
    expect(r1.status).toBe(202);
    const a = await r1.json();
    expect(a).toMatchObject({ status: 'created', ref: expect.stringMatching(/^IT-/) });
    const r2 = await post(eml({ id: 'w1@corp.example' }));
    expect(r2.status).toBe(200);
    expect((await r2.json()).status).toBe('duplicate');
    expect(await s.hd.db.models.Ticket.count({ where: { id: a.ticketId } })).toBe(1);
  });

  it('dedupes a message without Message-ID by the hash of its bytes', async () => {
    const raw = eml({ subject: 'no id', body: 'Keyboard keys stick after a coffee spill.' });
    expect((await (await post(raw)).json()).status).toBe('created');
    expect((await (await post(raw)).json()).status).toBe('duplicate');
  });

  it('still opens a ticket for an oversized email, drops its attachments and tells the sender', async () => {
    const big = Buffer.alloc(20_000, 'A').toString('base64'); // ~27 KB: over the limit, under the webhook's 2× cap
    const extra =
      'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nThe scanner on floor 3 jams, photo attached.\r\n' +
      `--b1\r\nContent-Type: image/jpeg; name="jam.jpg"\r\nContent-Disposition: attachment; filename="jam.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}\r\n--b1--`;
    const r = await (await post(eml({ id: 'big@corp.example', extra }))).json();
    expect(r.status).toBe('created');
    const t = (await s.hd.db.models.Ticket.findByPk(r.ticketId))!;
    expect(t.description).toContain('scanner on floor 3');
    const row = (await s.hd.db.models.InboundEmail.findOne({ where: { dedupeKey: 'big@corp.example' } }))!;
    expect(row.size).toBeGreaterThan(20_000);
    expect(await s.hd.db.models.Attachment.count()).toBe(0);
    const notice = await s.hd.db.models.OutboxMail.findOne({ where: { ticketId: t.id, kind: 'notice' } });
    expect(notice?.text).toMatch(/larger than the helpdesk accepts/);
  });

  it('answers 422 with the reason for bytes that are not an email, and records them as failed', async () => {
    const r = await post(Buffer.from([0, 255, 1, 2, 3, 0, 255]));
    expect(r.status).toBe(422);
    const b = await r.json();
    expect(b.status).toBe('failed');
    expect((await s.hd.db.models.InboundEmail.findByPk(b.inboundId))!.status).toBe('failed');
  });

  it('matches a bounce of our own mail to its ticket and records it, without answering', async () => {
    const t = await (
      await post(
        eml({
          id: 'b0@corp.example',
          from: 'Ida <ida@corp.example>',
          body: 'How can I share my calendar with my team?',
        }),
      )
    ).json();
    const ours = (await s.hd.db.models.OutboxMail.findOne({ where: { ticketId: t.ticketId } }))!;
    const before = await s.hd.db.models.OutboxMail.count();
    const dsn =
      `From: Mail Delivery System <MAILER-DAEMON@mx.corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: Undelivered Mail Returned to Sender\r\n` +
      `Message-ID: <dsn1@mx.corp.example>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n` +
      `--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered to ida@corp.example: mailbox full.\r\n` +
      `--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.corp.example\r\n\r\nFinal-Recipient: rfc822; ida@corp.example\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n` +
      `--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: IT Helpdesk <it@helpdesk.localhost>\r\nTo: ida@corp.example\r\nMessage-ID: <${ours.emailMessageId}>\r\nSubject: ${ours.subject}\r\n\r\n--r--\r\n`;
    const r = await post(Buffer.from(dsn));
    const b = await r.json();
    expect(b.status).toBe('ignored');
    expect(b.ticketId).toBe(t.ticketId);
    expect(b.reason).toMatch(/bounce/i);
    expect(await s.hd.db.models.AuditEvent.count({ where: { ticketId: t.ticketId, action: 'bounce' } })).toBe(1);
    expect(await s.hd.db.models.OutboxMail.count()).toBe(before);
  });
});
