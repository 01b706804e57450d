/** Issue 11, item 9: unauthenticated channels never rename a requester; the name given stays on its ticket. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

describe('requester identity', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  const create = (json: Record<string, unknown>, admin = false) =>
    s.api('/api/tickets', { method: 'POST', admin, json: { issue: 'My docking station stopped charging.', ...json } });
  const stored = async (email: string) => (await s.hd.db.models.Requester.findOne({ where: { email } }))!;

  it('keeps the stored name and centre when the widget, the open API or email give others', async () => {
    const first = await (
      await create({ name: 'Ann Lee', email: 'ann.lee@corp.example', devCenter: 'Pune' }, true)
    ).json();
    expect(first.ref).toMatch(/^IT-/);

    // The widget (no admin token) with someone else's address: the attack of the issue.
    const w = await (
      await create({ name: 'Mallory Impostor', email: 'Ann.Lee@corp.example', devCenter: 'Austin' })
    ).json();
    let r = await stored('ann.lee@corp.example');
    expect({ name: r.name, devCenter: r.devCenter }).toEqual({ name: 'Ann Lee', devCenter: 'Pune' });
    const t = (await s.hd.db.models.Ticket.findByPk(w.id))!;
    expect(t.requesterName).toBe('Mallory Impostor');
    expect(t.devCenter).toBe('Austin'); // the ticket's own centre is what was given on it

    // Email from a spoofable From: display name.
    const raw =
      'From: "Evil Rename" <ann.lee@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: printer\r\n' +
      'Message-ID: <rename-1@corp.example>\r\n\r\nThe printer on floor 2 is offline.\r\n';
    const e = await (await s.inbound(raw)).json();
    expect(e.status).toBe('created');
    r = await stored('ann.lee@corp.example');
    expect(r.name).toBe('Ann Lee');
    expect((await s.hd.db.models.Ticket.findByPk(e.ticketId))!.requesterName).toBe('Evil Rename');

    // Agents see both: the stored identity and what was typed on this ticket.
    const detail = await (await s.api(`/api/tickets/${w.ref}`, { admin: true })).json();
    expect(detail.requester).toMatchObject({ name: 'Ann Lee', devCenter: 'Pune', givenName: 'Mallory Impostor' });
    // The requester's own view does not carry it.
    const link = s.hd.signer.sign({ t: w.id, a: 'ticket', e: 'ann.lee@corp.example' });
    const page = await (await fetch(`${s.url}/t/${link}`)).text();
    expect(page).not.toContain('Mallory');
  });

  it('lets the admin API (a trusted integration) update the stored identity', async () => {
    await create({ name: 'Ann Lee-Smith', email: 'ann.lee@corp.example', devCenter: 'Lisbon' }, true);
    const r = await stored('ann.lee@corp.example');
    expect({ name: r.name, devCenter: r.devCenter }).toEqual({ name: 'Ann Lee-Smith', devCenter: 'Lisbon' });
  });

  it('sets the identity of a requester seen for the first time from what they gave', async () => {
    await create({ name: 'Nia Obi', email: 'nia@corp.example', devCenter: 'Kraków' });
    const r = await stored('nia@corp.example');
    expect({ name: r.name, devCenter: r.devCenter }).toEqual({ name: 'Nia Obi', devCenter: 'Kraków' });
  });
});
