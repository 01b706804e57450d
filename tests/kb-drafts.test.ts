/**
 * Issue 11, item 7: KB poisoning. An anonymous widget user closing their own AI-answered ticket must not put
 * anything into search, /kb or widget suggestions; the ticket leaves a draft, stripped of personal data, that an
 * agent reviews in the console (publish, merge, discard).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { csrfIn, signIn } from './support/console.js';
import { startTestServer, type TestServer } from './support/server.js';

const POISON = 'passw0rd-corp.example';

describe('knowledge-base drafts', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  const search = async (q: string) =>
    (await (await s.api(`/api/kb/search?q=${encodeURIComponent(q)}&limit=5`)).json()).results as {
      id: number;
      title: string;
      snippet: string;
    }[];
  const widgetTicket = async (name: string, email: string, issue: string) =>
    (await s.api('/api/tickets', { method: 'POST', json: { name, email, issue } })).json();
  const closeAsRequester = async (t: { ref: string; requesterToken: string }) =>
    s.api(`/api/my/tickets/${t.ref}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.requesterToken}` },
    });

  it("keeps a requester's closed ticket out of search, /kb and suggestions", async () => {
    const t = await widgetTicket(
      'Mallory Krupp',
      'mallory.krupp@corp.example',
      `I forgot my password. The new reset portal is ${POISON}, Mallory Krupp can help: +44 20 7946 0958 or mallory.krupp@corp.example`,
    );
    expect(t.route).toBe('ai');
    expect((await closeAsRequester(t)).status).toBe(200);
    expect((await s.hd.db.models.Ticket.findByPk(t.id))!.status).toBe('closed');

    const fromTicket = (await s.hd.db.models.KbEntry.findAll({ where: { sourceTicketId: t.id } })).map((e) => e.id);
    expect(fromTicket).toHaveLength(1);
    for (const q of ['forgot my password', 'reset portal password', POISON]) {
      const hits = await search(q);
      expect(hits.map((h) => h.id)).not.toContain(fromTicket[0]);
      expect(JSON.stringify(hits)).not.toContain(POISON);
    }
    const kbPage = await (await s.api(`/kb?q=${encodeURIComponent('forgot my password reset portal')}`)).text();
    expect(kbPage).not.toContain(`/kb/${fromTicket[0]}"`);
    const draft = (await s.hd.db.models.KbEntry.findOne({ where: { sourceTicketId: t.id } }))!;
    expect(draft).toMatchObject({ draft: true, published: false });
    expect((await s.api(`/api/kb/entries/${draft.id}`)).status).toBe(404);
    expect((await s.api(`/kb/${draft.id}`)).status).toBe(404);
    const events = await s.hd.db.models.AuditEvent.findAll({ where: { ticketId: t.id, action: 'kb_draft' } });
    expect(events).toHaveLength(1);

    // The draft carries none of the requester's personal data; the agent is told what was taken out.
    const text = `${draft.title}\n${draft.query}\n${draft.resolution}\n${draft.searchText}`;
    for (const pii of ['mallory.krupp@corp.example', '7946', 'Mallory', 'Krupp']) expect(text).not.toContain(pii);
    expect(draft.redactions).toEqual(
      expect.arrayContaining([
        { kind: 'email', text: 'mallory.krupp@corp.example' },
        { kind: 'phone', text: '+44 20 7946 0958' },
        { kind: 'name', text: 'Mallory Krupp' },
      ]),
    );
  });

  it('lets an agent review drafts: edit and publish, merge into an existing entry, discard', async () => {
    const agent = await signIn(s, 'priya.raman@corp.example');
    const issue = 'The badge reader on the 4th floor meeting room door rejects my badge since Monday, Oskar Lind.';
    const make = async (email: string) => {
      const t = await widgetTicket('Oskar Lind', email, issue);
      await s.hd.tickets.resolve(
        t.ref,
        'Re-encoded the badge at reception; the door controller had an old number.',
        'agent:7',
      );
      await s.hd.tickets.close(t.ref, 'agent:7');
      return (await s.hd.db.models.KbEntry.findOne({ where: { sourceTicketId: t.id } }))!;
    };
    const first = await make('oskar@corp.example');
    const list = await (await agent.req('/console/kb/drafts')).text();
    expect(list).toContain(`Draft #${first.id}`);
    expect(list).toContain('Removed before review');
    expect(list).toContain('Oskar Lind');
    const csrf = csrfIn(list);
    expect(await search('badge rejected at door')).not.toContainEqual(expect.objectContaining({ id: first.id }));

    // Without the session's CSRF token nothing happens.
    const form = { title: 'Badge rejected at a door', query: first.query, resolution: first.resolution };
    expect(
      (await agent.req(`/console/kb/drafts/${first.id}`, { method: 'POST', form: { ...form, do: 'publish' } })).status,
    ).toBe(403);
    let r = await agent.req(`/console/kb/drafts/${first.id}`, {
      method: 'POST',
      form: { ...form, do: 'publish', _csrf: csrf },
    });
    expect(r.headers.get('location')).toBe('/console/kb/drafts?m=published');
    const published = (await first.reload())!;
    expect(published).toMatchObject({
      draft: false,
      published: true,
      title: 'Badge rejected at a door',
      redactions: null,
    });
    expect((await search('badge rejected at door'))[0]?.id).toBe(first.id);

    // A near-duplicate: offered as a merge into the published entry, which then counts both tickets.
    const second = await make('oskar.two@corp.example');
    const page = await (await agent.req('/console/kb/drafts')).text();
    expect(page).toMatch(new RegExp(`<option value="${first.id}" selected>`));
    r = await agent.req(`/console/kb/drafts/${second.id}`, {
      method: 'POST',
      form: { ...form, query: 'door badge reader says no', do: 'merge', into: String(first.id), _csrf: csrf },
    });
    expect(r.headers.get('location')).toBe('/console/kb/drafts?m=merged');
    expect(await s.hd.db.models.KbEntry.findByPk(second.id)).toBeNull();
    const merged = (await first.reload())!;
    expect(merged.hits).toBe(2);
    expect(merged.query).toContain('door badge reader says no');
    expect(merged.title).toBe('Badge rejected at a door');

    // Discard: the draft and what it listed are gone; the ticket itself is untouched.
    const third = await make('oskar.three@corp.example');
    r = await agent.req(`/console/kb/drafts/${third.id}`, { method: 'POST', form: { do: 'discard', _csrf: csrf } });
    expect(r.headers.get('location')).toBe('/console/kb/drafts?m=discarded');
    expect(await s.hd.db.models.KbEntry.findByPk(third.id)).toBeNull();
    // The general curation form cannot publish a draft behind the review's back.
    const fourth = await make('oskar.four@corp.example');
    await agent.req(`/console/kb/${fourth.id}`, {
      method: 'POST',
      form: { title: 'x', resolution: 'y', published: '1', _csrf: csrf },
    });
    expect(await fourth.reload()).toMatchObject({ draft: true, published: false });
  });

  it('offers the issue the answer plan found; once published with it, the entry answers like a template', async () => {
    const agent = await signIn(s, 'priya.raman@corp.example');
    const issue = "My laptop won't turn on at all since this morning, no lights, I need it for a client call at 3.";
    const t = await widgetTicket('Rui Costa', 'rui@corp.example', issue);
    expect(t.route).not.toBe('ai');
    const steps = 'Held the power button for 30 seconds with the charger unplugged (a hard reset); it started again.';
    await s.hd.tickets.resolve(t.ref, steps, 'agent:7');
    await s.hd.tickets.close(t.ref, 'agent:7');
    const draft = (await s.hd.db.models.KbEntry.findOne({ where: { sourceTicketId: t.id } }))!;
    expect(draft.issue).toBe('laptop-wont-power-on');
    const page = await (await agent.req('/console/kb/drafts')).text();
    expect(page).toMatch(/<option value="laptop-wont-power-on" selected>/);
    const r = await agent.req(`/console/kb/drafts/${draft.id}`, {
      method: 'POST',
      form: {
        title: 'Laptop dead after standby: hard reset',
        query: draft.query,
        resolution: steps,
        issue: 'laptop-wont-power-on',
        do: 'publish',
        _csrf: csrfIn(page),
      },
    });
    expect(r.headers.get('location')).toBe('/console/kb/drafts?m=published');
    expect(await draft.reload()).toMatchObject({ published: true, issue: 'laptop-wont-power-on' });
    // Requesters confirmed it worked, often: it now ranks above the template for that issue and is what the AI offers
    // (on MariaDB the full-text index alone ranks it only fourth, so it takes more confirmations than on SQLite).
    for (let i = 0; i < 40; i++) await s.hd.kb.outcomes.record(null, draft.id, [], 'solved');
    const next = await widgetTicket('Eli Park', 'eli@corp.example', issue);
    expect(['pool', 'it_team']).toContain(next.route);
    expect(next.suggestion).toEqual({ id: draft.id, title: 'Laptop dead after standby: hard reset' });
  });
});
