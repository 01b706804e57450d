/**
 * A major incident end to end, against a real SMTP server (smtp-server): three people report one outage through
 * the widget API, the third report opens the incident; every requester gets one "we know" email (the one who
 * completed it no acknowledgment at all), a later report joins at once, the team is told; an update reaches every
 * affected person once (one person has two tickets); resolving resolves every child with one resolved mail each,
 * with the feedback faces; a requester who writes back by email reopens only their own ticket, which leaves the
 * incident. Runs on SQLite and MariaDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser, type ParsedMail } from 'mailparser';
import { startSmtpServer, type SmtpSink } from './support/smtp.js';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from './support/server.js';
import { until } from './support/wait.js';

const REPORTS = [
  {
    name: 'Abhishek Thakur',
    subject: 'VPN not connecting',
    issue: 'My VPN will not connect this morning, it gets stuck at Discovering network and then fails.',
  },
  {
    name: 'Mansi Oak',
    subject: 'GlobalProtect: gateway not responding',
    issue: 'GlobalProtect keeps saying the gateway is not responding. I tried two different networks at home.',
  },
  {
    name: 'Shruti Mane',
    subject: 'VPN connection failed',
    issue: 'VPN connection failed again, error: unable to establish a secure tunnel with the gateway.',
  },
  {
    name: 'Tejas Kadam',
    subject: 'GlobalProtect portal unreachable',
    issue: 'GlobalProtect says the portal is unreachable, so I cannot start work. My internet is working.',
  },
];
const emailOf = (name: string) => `${name.toLowerCase().replace(/\s+/g, '.')}@corp.example`;

describe('a major incident by email (real SMTP server)', () => {
  let smtp: SmtpSink;
  let s: TestServer;
  const parsed = new Map<Buffer, ParsedMail>();
  /** Every message the SMTP server received for `email`, parsed. */
  const mailsTo = async (email: string) => {
    const mine = smtp.messages.filter((m) => m.envelope.to.includes(email));
    for (const m of mine) if (!parsed.has(m.raw)) parsed.set(m.raw, await simpleParser(m.raw));
    return mine.map((m) => parsed.get(m.raw)!);
  };
  const report = async (r: (typeof REPORTS)[number]) =>
    (await s.api('/api/tickets', { method: 'POST', json: { ...r, email: emailOf(r.name), devCenter: 'Pune' } })).json();
  const queued = (where: Record<string, unknown>) =>
    s.hd.db.models.OutboxMail.findAll({ where, order: [['id', 'ASC']] });
  const allSent = () =>
    until(
      async () => (await s.hd.db.models.OutboxMail.count({ where: { status: 'queued' } })) === 0,
      15_000,
      'the outbox to drain',
    );

  beforeAll(async () => {
    smtp = await startSmtpServer();
    s = await startTestServer({ SMTP_URL: smtp.url, MAIL_FROM: 'IT Helpdesk <it@helpdesk.localhost>' });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    await smtp?.stop();
  });

  let ref = '';
  const tickets: { ref: string; id: number; email: string }[] = [];

  it('opens at the third report; each requester gets one "we know" email; the team is told', async () => {
    for (const r of REPORTS.slice(0, 3)) {
      const t = await report(r);
      tickets.push({ ref: t.ref, id: t.id, email: emailOf(r.name) });
    }
    const list = await (await s.api('/api/incidents?status=open', { admin: true })).json();
    expect(list.incidents).toHaveLength(1);
    ref = list.incidents[0].ref;
    expect(list.incidents[0]).toMatchObject({
      title: 'The VPN is not connecting in Pune',
      devCenter: 'Pune',
      children: 3,
    });
    await allSent();
    for (const t of tickets) {
      const known = (await mailsTo(t.email)).filter((m) => m.subject?.includes('Known problem'));
      expect(known, t.email).toHaveLength(1);
      expect(known[0]!.subject).toContain(t.ref);
      expect(known[0]!.text).toContain('The VPN is not connecting in Pune');
      expect(known[0]!.text).toContain(ref);
      expect(known[0]!.text).toContain('You will hear from us as soon as it is fixed');
      expect(known[0]!.html).toContain('We know about this problem');
    }
    // The third report completed the incident: no ordinary acknowledgment and no AI answer for it.
    expect((await queued({ ticketId: tickets[2]!.id })).map((m) => m.kind)).toEqual(['incident_known']);
    // The owner (a Networking person), the other Networking people and the managers hear about it once each.
    const team = await queued({ kind: 'incident_opened' });
    const to = team.map((m) => m.toAddr).sort();
    expect(new Set(to).size).toBe(to.length);
    expect(to).toEqual(expect.arrayContaining(['tomasz.nowak@corp.example', 'helena.costa@corp.example']));
    const owner = (await mailsTo(team[0]!.toAddr))[0]!;
    expect(owner.subject).toContain(ref);
    expect(owner.text).toContain(`/console/incidents/${ref}`);
    expect(owner.replyTo).toBeUndefined();
  });

  it('a later report joins at once: the incident email instead of an acknowledgment', async () => {
    const t = await report(REPORTS[3]!);
    tickets.push({ ref: t.ref, id: t.id, email: emailOf(REPORTS[3]!.name) });
    expect(t.route).toBe('it_team');
    expect(t.answer).toBeUndefined();
    expect((await queued({ ticketId: t.id })).map((m) => m.kind)).toEqual(['incident_known']);
    // The same person writes again about it: a second child, still one person.
    const again = await report({
      ...REPORTS[0]!,
      subject: 'still no VPN',
      issue: 'Still cannot connect to the VPN, GlobalProtect says the gateway does not respond.',
    });
    tickets.push({ ref: again.ref, id: again.id, email: emailOf(REPORTS[0]!.name) });
    const detail = await (await s.api(`/api/incidents/${ref}`, { admin: true })).json();
    expect(detail.children.map((c: { ref: string }) => c.ref).sort()).toEqual(tickets.map((x) => x.ref).sort());
    // Out of the working queues: the incident stands for them.
    const pool = await s.hd.tickets.reads.list({ inIncident: false, status: ['open'] }, { limit: 50, offset: 0 });
    expect(pool.tickets.filter((x) => x.incidentId)).toEqual([]);
  });

  it('an update reaches every affected person once and is on every child thread', async () => {
    const before = smtp.messages.length;
    const r = await s.api(`/api/incidents/${ref}/update`, {
      method: 'POST',
      admin: true,
      json: { text: 'The Pune VPN gateway lost its uplink; the network team is switching to the backup line.' },
    });
    expect(r.status).toBe(201);
    const body = await r.json();
    expect(body.updates.at(-1)).toMatchObject({ kind: 'update', recipients: 4 });
    await allSent();
    await until(async () => smtp.messages.length >= before + 4, 10_000, 'four update mails');
    const updates = (await Promise.all([...new Set(tickets.map((t) => t.email))].map(mailsTo))).map(
      (ms) => ms.filter((m) => m.subject?.includes('Update:')).length,
    );
    expect(updates).toEqual([1, 1, 1, 1]);
    for (const t of tickets) {
      const thread = await s.hd.tickets.reads.messages(t.id, { internal: false });
      expect(thread.at(-1)!.text).toContain('backup line');
    }
  });

  it('resolving resolves every child with one resolved mail each (feedback faces), and a reply reopens only that one', async () => {
    const r = await s.api(`/api/incidents/${ref}/resolve`, {
      method: 'POST',
      admin: true,
      json: { resolution: 'The backup line is up and the Pune VPN gateway accepts connections again.' },
    });
    expect(r.status).toBe(200);
    expect((await r.json()).status).toBe('resolved');
    await allSent();
    for (const t of tickets) {
      const row = (await s.hd.tickets.reads.find(t.id))!;
      expect(row.status).toBe('resolved');
      expect(row.resolution).toContain('backup line is up');
      const resolved = await queued({ ticketId: t.id, kind: 'resolved' });
      expect(resolved).toHaveLength(1);
    }
    const mine = (await mailsTo(tickets[1]!.email)).filter((m) =>
      m.subject?.startsWith(`[${tickets[1]!.ref}] Resolved`),
    );
    expect(mine).toHaveLength(1);
    for (const n of [1, 2, 3, 4, 5]) expect(mine[0]!.text).toContain(`/feedback/${n}`);

    // Mansi writes back to her resolved mail: it is still broken for her.
    const raw =
      `From: Mansi Oak <${tickets[1]!.email}>\r\nTo: it@helpdesk.localhost\r\nSubject: Re: ${mine[0]!.subject}\r\n` +
      `Message-ID: <mansi-reply@corp.example>\r\nIn-Reply-To: ${mine[0]!.messageId}\r\nReferences: ${mine[0]!.messageId}\r\n` +
      `Date: ${new Date().toUTCString()}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nStill broken for me, GlobalProtect says the gateway is not responding.\r\n`;
    const res = await fetch(`${s.url}/api/inbound/email`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(202);
    const reopened = await until(
      async () => {
        const t = await s.hd.tickets.reads.find(tickets[1]!.id);
        return t?.status === 'open' ? t : null;
      },
      8000,
      'the reply to reopen her ticket',
    );
    expect(reopened.incidentId).toBeNull();
    for (const t of tickets.filter((x) => x.id !== tickets[1]!.id))
      expect((await s.hd.tickets.reads.find(t.id))!.status, t.ref).toBe('resolved');
    const detail = await (await s.api(`/api/incidents/${ref}`, { admin: true })).json();
    expect(detail.status).toBe('resolved');
    expect(detail.children.map((c: { ref: string }) => c.ref)).not.toContain(tickets[1]!.ref);
    const links = await s.hd.tickets.incidents.children(Number(ref.slice(3)), { all: true });
    expect(links.find((l) => l.ticketRef === tickets[1]!.ref)?.leftAt).toBeTruthy();
  });
});
