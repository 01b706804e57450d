/**
 * Our ticket mail starts with a reply-above marker (text and HTML): a reply whose client appends our mail without
 * quoting it (no "On … wrote:", no ">") is still cut exactly where our text starts.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { REPLY_ABOVE_ATTRIBUTE, replyAboveMarker } from '../server/mail/reply-marker.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('reply-above marker in our mail', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({}, { jobs: false });
  });
  afterAll(async () => s?.stop());
  const post = (raw: string) => s.inbound(raw);

  it('is the first line of the text part and the first element of the HTML body of ticket mail only', async () => {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Ola', email: 'ola@corp.example', issue: 'My mouse stopped working.' },
      })
    ).json();
    const mail = (await s.hd.db.models.OutboxMail.findOne({ where: { ticketId: t.id } }))!;
    expect(mail.text.split('\n')[0]).toBe(replyAboveMarker('en'));
    expect(mail.html).toMatch(new RegExp(`<body[^>]*><div ${REPLY_ABOVE_ATTRIBUTE}=""`));
  });

  it('cuts an unquoted reply exactly at our text', async () => {
    const first = await (
      await post(
        'From: Pia <pia@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: projector\r\nMessage-ID: <pia-1@corp.example>\r\n\r\nThe projector in room 4 shows no picture.\r\n',
      )
    ).json();
    const ack = (await s.hd.db.models.OutboxMail.findOne({
      where: { ticketId: first.ticketId },
      order: [['id', 'DESC']],
    }))!;
    // A client that appends the original below the reply, neither quoted nor introduced by "On … wrote:".
    const reply =
      `From: Pia <pia@corp.example>\r\nTo: ${ack.headers['Reply-To']}\r\nSubject: Re: ${ack.subject}\r\n` +
      `Message-ID: <pia-2@corp.example>\r\nIn-Reply-To: <${ack.emailMessageId}>\r\n\r\n` +
      `It works again after a restart, thanks.\r\n\r\n${ack.text.replace(/\n/g, '\r\n')}`;
    const r = await (await post(reply)).json();
    expect(r.status).toBe('commented');
    const msgs = await s.hd.db.models.Message.findAll({ where: { ticketId: first.ticketId }, order: [['id', 'ASC']] });
    expect(msgs.at(-1)!.text.trim()).toBe('It works again after a restart, thanks.');
  });
});
