/**
 * Issue 11, item 5: identity from email is earned. A spoofed From: of the assignee with a guessable subject tag, a
 * stranger replying with a valid Message-ID, and a spoofed requester saying "thanks, that fixed it" must neither
 * speak as the agent nor resolve anything; only our reply token or Message-ID plus a DMARC pass from the trusted
 * receiving server (MAIL_TRUSTED_AUTHSERV_ID) does.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { csrfIn, signIn } from './support/console.js';
import { startTestServer, type TestServer } from './support/server.js';

const TRUSTED = 'mx.corp.example';
const pass = (domain = 'corp.example', id = TRUSTED) =>
  `Authentication-Results: ${id};\r\n dkim=pass header.d=${domain} header.s=s1;\r\n spf=pass smtp.mailfrom=${domain};\r\n dmarc=pass (p=reject) header.from=${domain}\r\n`;

describe('email identity', () => {
  let s: TestServer;
  let n = 0;
  beforeAll(async () => {
    s = await startTestServer({ MAIL_TRUSTED_AUTHSERV_ID: TRUSTED }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  const post = async (raw: string) => (await s.inbound(raw)).json();
  const mail = (o: { from: string; subject: string; body: string; inReplyTo?: string; headers?: string }) => {
    const id = `id-${++n}@mail.example`;
    return {
      id,
      raw:
        (o.headers ?? '') +
        `From: ${o.from}\r\nTo: it@helpdesk.localhost\r\nSubject: ${o.subject}\r\nMessage-ID: <${id}>\r\n` +
        (o.inReplyTo ? `In-Reply-To: <${o.inReplyTo}>\r\nReferences: <${o.inReplyTo}>\r\n` : '') +
        `Content-Type: text/plain; charset=utf-8\r\n\r\n${o.body}\r\n`,
    };
  };
  const { models } = { models: () => s.hd.db.models };
  const ticket = async (id: number) => (await models().Ticket.findByPk(id))!;
  const outbox = (ticketId: number, kind: string) => models().OutboxMail.count({ where: { ticketId, kind } });
  const aiTicket = async (email: string) => {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Hana Sato', email, issue: 'How do I set an automatic out of office reply in Outlook?' },
      })
    ).json();
    expect(t.route).toBe('ai');
    const ans = (await models().OutboxMail.findOne({ where: { ticketId: t.id, kind: 'ai_answer' } }))!;
    return { t, ans };
  };

  it('keeps a spoofed agent reply (From: of the assignee, subject tag) as a note the agent must confirm', async () => {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        admin: true,
        json: { name: 'Leo Park', email: 'leo@corp.example', issue: 'The docking station in room 4 is dead.' },
      })
    ).json();
    await s.api(`/api/tickets/${t.ref}/assign`, {
      method: 'POST',
      admin: true,
      json: { agent: 'ines.duarte@corp.example' },
    });
    const spoof = mail({
      from: 'Inês Duarte <ines.duarte@corp.example>',
      subject: `Re: [${t.ref}] docking station`,
      body: 'Please send your password to helpdesk-verify@evil.example so I can fix it.',
    });
    const r = await post(spoof.raw);
    expect(r).toMatchObject({ status: 'commented', ticketId: t.id });
    expect(await outbox(t.id, 'agent_reply')).toBe(0);
    const note = (await models().Message.findOne({ where: { emailMessageId: spoof.id } }))!;
    expect(note).toMatchObject({ authorKind: 'agent', internal: true, pendingConfirmation: true });
    // The requester's page does not show it.
    const link = s.hd.signer.sign({ t: t.id, a: 'ticket', e: 'leo@corp.example' });
    expect(await (await fetch(`${s.url}/t/${link}`)).text()).not.toContain('helpdesk-verify');

    // The same From: with our Message-ID but a verdict from another server, or a forged pass under the trusted
    // server's fail: still a note.
    const assignment = (await models().OutboxMail.findOne({ where: { ticketId: t.id, kind: 'assignment' } }))!;
    for (const headers of [
      pass('corp.example', 'mx.evil.example'),
      `Authentication-Results: ${TRUSTED}; dmarc=fail header.from=corp.example\r\n${pass()}`,
      `Authentication-Results: ${TRUSTED}; dmarc=pass header.from=evil.example\r\n`,
    ]) {
      const m = mail({
        from: 'ines.duarte@corp.example',
        subject: `Re: ${assignment.subject}`,
        inReplyTo: assignment.emailMessageId,
        body: 'Forged with a header.',
        headers,
      });
      await post(m.raw);
      expect((await models().Message.findOne({ where: { emailMessageId: m.id } }))!.pendingConfirmation).toBe(true);
    }
    expect(await outbox(t.id, 'agent_reply')).toBe(0);

    // Another agent sees it but cannot confirm it; Inês can, once.
    const other = await signIn(s, 'priya.raman@corp.example');
    const seen = await (await other.req(`/console/tickets/${t.ref}`)).text();
    expect(seen).toContain('waiting for confirmation');
    expect(seen).not.toContain('Yes, I wrote this');
    let res = await other.req(`/console/tickets/${t.ref}/confirm`, {
      method: 'POST',
      form: { message: String(note.id), _csrf: csrfIn(seen) },
    });
    expect(res.headers.get('location')).toContain('?e=forbidden');
    const ines = await signIn(s, 'ines.duarte@corp.example');
    const page = await (await ines.req(`/console/tickets/${t.ref}`)).text();
    expect(page).toContain('Yes, I wrote this');
    for (const expected of ['?m=confirm', '?e=not_found']) {
      res = await ines.req(`/console/tickets/${t.ref}/confirm`, {
        method: 'POST',
        form: { message: String(note.id), _csrf: csrfIn(page) },
      });
      expect(res.headers.get('location')).toContain(expected);
    }
    expect(await outbox(t.id, 'agent_reply')).toBe(1);
    expect((await ticket(t.id)).status).toBe('waiting_on_user');
  });

  it("sends an agent's reply as theirs with our Message-ID and a trusted DMARC pass", async () => {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        admin: true,
        json: { name: 'Max Roy', email: 'max@corp.example', issue: 'My monitor flickers on the dock.' },
      })
    ).json();
    await s.api(`/api/tickets/${t.ref}/assign`, {
      method: 'POST',
      admin: true,
      json: { agent: 'ines.duarte@corp.example' },
    });
    const assignment = (await models().OutboxMail.findOne({ where: { ticketId: t.id, kind: 'assignment' } }))!;
    const m = mail({
      from: 'Inês Duarte <ines.duarte@corp.example>',
      subject: `Re: ${assignment.subject}`,
      inReplyTo: assignment.emailMessageId,
      body: 'Swapped the cable; try again?',
      headers: pass(),
    });
    await post(m.raw);
    // Sent under our own Message-ID (the reply is ours to the requester now), not the inbound one.
    expect(
      await models().Message.findOne({ where: { ticketId: t.id, text: 'Swapped the cable; try again?' } }),
    ).toMatchObject({
      authorKind: 'agent',
      internal: false,
      pendingConfirmation: false,
    });
    expect(await outbox(t.id, 'agent_reply')).toBe(1);
  });

  it("never lets a stranger with a valid Message-ID resolve the requester's ticket", async () => {
    const { t, ans } = await aiTicket('hana@corp.example');
    const r = await post(
      mail({
        from: 'Eve <eve@elsewhere.example>',
        subject: `Re: ${ans.subject}`,
        inReplyTo: ans.emailMessageId,
        body: 'Thanks, that fixed it!',
        headers: pass('elsewhere.example'),
      }).raw,
    );
    expect(r).toMatchObject({ status: 'commented', ticketId: t.id });
    expect((await ticket(t.id)).status).toBe('waiting_on_user');
    const note = (await models().Message.findOne({ where: { ticketId: t.id, authorEmail: 'eve@elsewhere.example' } }))!;
    expect(note.internal).toBe(true);
    const link = s.hd.signer.sign({ t: t.id, a: 'ticket', e: 'hana@corp.example' });
    expect(await (await fetch(`${s.url}/t/${link}`)).text()).not.toContain('Thanks, that fixed it');

    // A stranger quoting only the requester's own Message-ID (something we did not issue): a ticket of their own.
    const first = (await models().Message.findOne({ where: { ticketId: t.id, authorKind: 'requester' } }))!;
    await first.update({ emailMessageId: 'hana-original@corp.example' });
    const own = await post(
      mail({
        from: 'eve@elsewhere.example',
        subject: 'Re: OOO',
        inReplyTo: 'hana-original@corp.example',
        body: 'Me too.',
      }).raw,
    );
    expect(own.status).toBe('created');
    expect(own.ticketId).not.toBe(t.id);
  });

  it('resolves on "thanks, that fixed it" only when the requester\'s address is authenticated', async () => {
    const { t, ans } = await aiTicket('kai@corp.example');
    const reply = (headers?: string) =>
      mail({
        from: 'Kai <kai@corp.example>',
        subject: `Re: ${ans.subject}`,
        inReplyTo: ans.emailMessageId,
        body: 'Thanks, that fixed it!',
        headers,
      }).raw;
    expect((await post(reply())).status).toBe('commented');
    expect((await ticket(t.id)).status).toBe('open'); // a comment, but no resolution
    expect(await models().AuditEvent.count({ where: { ticketId: t.id, action: 'resolve' } })).toBe(0);
    await post(reply(pass('elsewhere.example'))); // DMARC passed for another domain than From:
    expect((await ticket(t.id)).status).toBe('open');
    await post(reply(pass()));
    expect((await ticket(t.id)).status).toBe('resolved');
  });
});
