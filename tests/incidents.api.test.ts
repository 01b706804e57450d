/**
 * The incident API: the admin bearer on everything but the widget's two routes; the shapes of issue 17; the
 * public known-issue list shows only title, centre and start time (no child's words, no one's name); "Me too" is
 * limited by domain and rate and is idempotent per person; link and unlink by hand; hostile input gets clear
 * errors. Runs on SQLite and MariaDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const OUTAGE = [
  [
    'Rupali Sawant',
    'VPN timing out',
    'The VPN will not connect since around 9, it just times out. Is something wrong with the gateway?',
  ],
  [
    'Akash Dixit',
    "Can't reach internal servers",
    'Cannot reach any internal server from home, the VPN client will not connect. Restarted twice.',
  ],
  ['Nitin Wagh', 'remote access down?', 'is remote access down? nobody in our pune team can get on the vpn right now'],
] as const;
const email = (name: string) => `${name.toLowerCase().replace(/\s+/g, '.')}@corp.example`;

describe('incident API', () => {
  let s: TestServer;
  let ref = '';
  const post = (path: string, json: unknown, admin = true) => s.api(path, { method: 'POST', admin, json });

  beforeAll(async () => {
    s = await startTestServer({ DEFLECTION_RATE_LIMIT: '5' }, { jobs: false });
    for (const [name, subject, issue] of OUTAGE)
      await post('/api/tickets', { name, email: email(name), devCenter: 'Pune', subject, issue }, false);
    ref = (await (await s.api('/api/incidents', { admin: true })).json()).incidents[0].ref;
  }, 60_000);
  afterAll(async () => s?.stop());

  it('needs the admin bearer for everything but the known issues and "Me too"', async () => {
    for (const [method, path] of [
      ['GET', '/api/incidents'],
      ['GET', `/api/incidents/${ref}`],
      ['POST', `/api/incidents/${ref}/update`],
      ['POST', `/api/incidents/${ref}/resolve`],
      ['POST', `/api/incidents/${ref}/link`],
      ['POST', `/api/incidents/${ref}/unlink`],
    ] as const) {
      const r = await s.api(path, {
        method,
        json: method === 'POST' ? { text: 'x', resolution: 'x', ticket: 'IT-1001' } : undefined,
      });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
    expect((await s.api('/api/incidents/known')).status).toBe(200);
  });

  it('lists and shows incidents in the shapes of issue 17', async () => {
    const { incidents } = await (await s.api('/api/incidents?status=open', { admin: true })).json();
    expect(incidents).toHaveLength(1);
    expect(Object.keys(incidents[0]).sort()).toEqual(
      [
        'ref',
        'title',
        'category',
        'devCenter',
        'status',
        'severity',
        'children',
        'createdAt',
        'detectedAt',
        'resolvedAt',
      ].sort(),
    );
    expect(incidents[0]).toMatchObject({
      ref,
      category: 'Networking & Connectivity',
      devCenter: 'Pune',
      status: 'open',
      children: 3,
    });
    expect((await (await s.api('/api/incidents?status=resolved', { admin: true })).json()).incidents).toEqual([]);
    const bad = await s.api('/api/incidents?status=closed', { admin: true });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields.status).toContain('open');
    const d = await (await s.api(`/api/incidents/${ref}`, { admin: true })).json();
    expect(d.children).toHaveLength(3);
    expect(d.children[0]).toMatchObject({
      ref: expect.stringMatching(/^IT-\d+$/),
      requester: { email: email(OUTAGE[0][0]) },
    });
    expect(d.children[0].createdAt).toBeTruthy();
    expect(d.updates[0]).toMatchObject({ kind: 'opened', actor: 'system' });
    for (const p of ['/api/incidents/MI-999', '/api/incidents/nonsense', '/api/incidents/1e400'])
      expect((await s.api(p, { admin: true })).status, p).toBe(404);
  });

  it('shows the public only title, centre and start time, and only incidents the text is about', async () => {
    const r = await s.api('/api/incidents/known?devCenter=Pune');
    const { incidents } = await r.json();
    expect(incidents).toHaveLength(1);
    expect(Object.keys(incidents[0]).sort()).toEqual(['devCenter', 'ref', 'since', 'title']);
    expect(incidents[0]).toMatchObject({ ref, title: 'The VPN is not connecting in Pune', devCenter: 'Pune' });
    const text = JSON.stringify(incidents);
    for (const [name, subject] of OUTAGE) {
      expect(text).not.toContain(name);
      expect(text).not.toContain(subject);
    }
    const typing = async (q: string, dc = 'Pune') =>
      (await (await s.api(`/api/incidents/known?devCenter=${dc}&q=${encodeURIComponent(q)}`)).json()).incidents;
    expect(await typing('my vpn does not connect')).toHaveLength(1);
    expect(await typing('the printer on floor 2 is jammed')).toEqual([]);
    // A centre-local problem is not shown to another centre.
    expect(await typing('my vpn does not connect', 'Austin')).toEqual([]);
    expect((await s.api('/api/incidents/known?devCenter=Atlantis')).status).toBe(400);
  });

  it('"Me too" records a child without a description, once per person; refuses outside addresses and floods', async () => {
    const who = { name: 'Pranav Kulkarni', email: 'pranav.kulkarni@corp.example', devCenter: 'Pune' };
    const r = await post(`/api/incidents/known/${ref}/affected`, who, false);
    expect(r.status).toBe(201);
    const b = await r.json();
    expect(b).toMatchObject({ incident: ref, already: false, ticket: expect.stringMatching(/^IT-/) });
    expect(b.requesterToken).toBeTruthy();
    const t = (await s.hd.tickets.reads.find(b.ticket))!;
    expect(t).toMatchObject({ status: 'open', channel: 'widget', route: 'it_team' });
    expect(t.incidentId).toBe(Number(ref.slice(3)));
    expect(t.description).toContain(ref);
    const kinds = (await s.hd.db.models.OutboxMail.findAll({ where: { ticketId: t.id } })).map((m) => m.kind);
    expect(kinds).toEqual(['incident_known']);
    // Twice: the same ticket, nothing new.
    const again = await post(
      `/api/incidents/known/${ref}/affected`,
      { ...who, email: 'Pranav.Kulkarni@corp.example' },
      false,
    );
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ already: true, ticket: b.ticket });
    // A problem local to Pune is not someone's in Austin.
    const elsewhere = await post(
      `/api/incidents/known/${ref}/affected`,
      { ...who, email: 'ann.lee@corp.example', devCenter: 'Austin' },
      false,
    );
    expect(elsewhere.status).toBe(400);
    expect((await elsewhere.json()).error.fields.devCenter).toContain('Pune');
    const outside = await post(`/api/incidents/known/${ref}/affected`, { ...who, email: 'x@evil.example' }, false);
    expect(outside.status).toBe(400);
    expect((await outside.json()).error.code).toBe('email_domain_not_allowed');
    const broken = await s.api(`/api/incidents/known/${ref}/affected`, {
      method: 'POST',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    // DEFLECTION_RATE_LIMIT=5 per client and hour: five requests went in above.
    const flood = await post(
      `/api/incidents/known/${ref}/affected`,
      { ...who, email: 'another.one@corp.example' },
      false,
    );
    expect(flood.status).toBe(429);
  });

  it('links and unlinks by hand through the same operations', async () => {
    const other = await (
      await post(
        '/api/tickets',
        {
          name: 'Omkar Shinde',
          email: 'omkar.shinde@corp.example',
          devCenter: 'Pune',
          issue: 'The label printer in dispatch prints blank labels since this morning.',
        },
        false,
      )
    ).json();
    expect((await s.hd.tickets.reads.find(other.id))!.incidentId).toBeNull();
    const linked = await post(`/api/incidents/${ref}/link`, { ticket: other.ref });
    expect(linked.status).toBe(200);
    expect((await linked.json()).children.map((c: { ref: string }) => c.ref)).toContain(other.ref);
    expect((await post(`/api/incidents/${ref}/link`, { ticket: other.ref })).status).toBe(409);
    const unlinked = await post(`/api/incidents/${ref}/unlink`, { ticket: other.ref });
    expect((await unlinked.json()).children.map((c: { ref: string }) => c.ref)).not.toContain(other.ref);
    const t = (await s.hd.tickets.reads.find(other.id))!;
    expect(t).toMatchObject({ incidentId: null, route: 'pool', assigneeId: null });
    expect((await post(`/api/incidents/${ref}/unlink`, { ticket: other.ref })).status).toBe(404);
    expect((await post(`/api/incidents/${ref}/link`, { ticket: 'IT-99999' })).status).toBe(404);
    expect((await post(`/api/incidents/${ref}/update`, { text: '   ' })).status).toBe(400);
    expect((await post(`/api/incidents/${ref}/resolve`, {})).status).toBe(400);
  });

  it('resolves once: a second resolve, an update or a link after it are refused', async () => {
    expect((await post(`/api/incidents/${ref}/resolve`, { resolution: 'Gateway restarted.' })).status).toBe(200);
    expect((await post(`/api/incidents/${ref}/resolve`, { resolution: 'again' })).status).toBe(409);
    expect((await post(`/api/incidents/${ref}/update`, { text: 'late' })).status).toBe(409);
    expect((await s.api('/api/incidents/known')).status).toBe(200);
    expect((await (await s.api('/api/incidents/known')).json()).incidents).toEqual([]);
    const me = await post(`/api/incidents/known/${ref}/affected`, { name: 'Late', email: 'late@corp.example' }, false);
    expect([404, 429]).toContain(me.status);
  });
});
