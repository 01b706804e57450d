/**
 * Major incidents in the agent console over HTTP: the incidents queue; the children out of the working queues;
 * the incident view (children with who, when, from where); posting an update, linking and unlinking by hand,
 * merging two incidents and resolving, each a form with its CSRF token answered by a redirect. SQLite and MariaDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type ConsoleClient } from './support/console.js';
import { startTestServer, type TestServer } from './support/server.js';

const VPN = [
  [
    'Abhishek Thakur',
    'VPN not connecting',
    'My VPN will not connect this morning, it gets stuck at Discovering network and then fails.',
  ],
  [
    'Mansi Oak',
    'GlobalProtect: gateway not responding',
    'GlobalProtect keeps saying the gateway is not responding. Tried two networks.',
  ],
  [
    'Shruti Mane',
    'VPN connection failed',
    'VPN connection failed again, error: unable to establish a secure tunnel with the gateway.',
  ],
] as const;
const WIFI = [
  [
    'Isha Bapat',
    'Wi-Fi will not connect',
    'Since ten the office Wi-Fi will not let my laptop connect, it says cannot connect to this network.',
  ],
  [
    'Yogesh More',
    'No Wi-Fi on the 5th floor',
    'My laptop cannot join the office Wi-Fi on floor 5, it keeps failing to connect to the network.',
  ],
  [
    'Kavita Rane',
    'Cannot connect to wireless',
    'The corporate wireless network refuses to connect on my laptop, I tried forgetting it and adding it again.',
  ],
] as const;
const email = (name: string) => `${name.toLowerCase().replace(/\s+/g, '.')}@corp.example`;

describe('major incidents in the console', () => {
  let s: TestServer;
  let agent: ConsoleClient;
  const refs: Record<string, string[]> = { vpn: [], wifi: [] };
  const form = (path: string, f: Record<string, string>) =>
    agent.req(path, { method: 'POST', form: { _csrf: agent.csrf, ...f } });
  const page = async (path: string) => {
    const r = await agent.req(path);
    expect(r.status, path).toBe(200);
    return r.text();
  };

  beforeAll(async () => {
    s = await startTestServer({}, { jobs: false });
    for (const [set, rows] of [
      ['vpn', VPN],
      ['wifi', WIFI],
    ] as const)
      for (const [name, subject, issue] of rows) {
        const t = await s.hd.tickets.create({
          name,
          email: email(name),
          devCenter: 'Pune',
          subject,
          issue,
          channel: 'widget',
        });
        refs[set]!.push(t.ref!);
      }
    agent = await signIn(s, 'tomasz.nowak@corp.example');
  }, 60_000);
  afterAll(async () => s?.stop());

  it('lists the incidents, and keeps their tickets out of the working queues', async () => {
    const list = await page('/console/incidents');
    expect(list).toContain('MI-1');
    expect(list).toContain('MI-2');
    expect(list).toContain('The VPN is not connecting in Pune');
    expect(list).toContain('Wi-Fi is not connecting in Pune');
    for (const q of ['pool', 'mine', 'escalated']) {
      const p = await page(`/console/queues/${q}`);
      for (const r of [...refs.vpn!, ...refs.wifi!]) expect(p, `${q} shows ${r}`).not.toContain(`>${r}<`);
    }
    const all = await page('/console/queues/all');
    for (const r of refs.vpn!) expect(all).toContain(`>${r}<`);
    expect(all).toContain('href="/console/incidents/MI-1"');
    expect(await page(`/console/tickets/${refs.vpn![0]}`)).toContain('Part of major incident');
  });

  it('shows the incident with its children (who, when, from where)', async () => {
    const p = await page('/console/incidents/MI-1');
    for (const [name] of VPN) {
      expect(p).toContain(name);
      expect(p).toContain(email(name));
    }
    expect(p).toContain('Pune');
    expect(p).toContain('widget');
    expect(p).toMatch(/Update for the 3 affected people/);
    expect((await agent.req('/console/incidents/MI-77')).status).toBe(404);
  });

  it('posts an update, links and unlinks by hand, refuses a form without its CSRF token', async () => {
    const r = await form('/console/incidents/MI-1/update', { text: 'We are restarting the Pune VPN gateway.' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/console/incidents/MI-1?m=update');
    const p = await page('/console/incidents/MI-1?m=update');
    expect(p).toContain('Update sent to every affected person.');
    expect(p).toContain('We are restarting the Pune VPN gateway.');
    expect(await s.hd.db.models.OutboxMail.count({ where: { kind: 'incident_update' } })).toBe(3);

    const stray = await s.hd.tickets.create({
      name: 'Nina Paul',
      email: 'nina.paul@corp.example',
      devCenter: 'Pune',
      issue: 'The coffee machine app on my phone shows an error when I order a latte.',
      channel: 'widget',
    });
    expect((await form('/console/incidents/MI-1/link', { ticket: stray.ref! })).headers.get('location')).toBe(
      '/console/incidents/MI-1?m=link',
    );
    expect(await page('/console/incidents/MI-1')).toContain(stray.ref!);
    expect((await form('/console/incidents/MI-1/unlink', { ticket: stray.ref! })).headers.get('location')).toBe(
      '/console/incidents/MI-1?m=unlink',
    );
    expect((await s.hd.tickets.reads.find(stray.id))!.incidentId).toBeNull();
    expect((await form('/console/incidents/MI-1/link', { ticket: 'IT-424242' })).headers.get('location')).toBe(
      '/console/incidents/MI-1?e=ticket_not_found',
    );
    const noCsrf = await agent.req('/console/incidents/MI-1/update', { method: 'POST', form: { text: 'x' } });
    expect(noCsrf.status).toBe(403);
  });

  it('merges one incident into another and resolves every child with one mail each', async () => {
    const m = await form('/console/incidents/MI-2/merge', { into: 'MI-1' });
    expect(m.headers.get('location')).toBe('/console/incidents/MI-1?m=merge');
    const merged = await s.hd.tickets.incidents.find('MI-2');
    expect(merged).toMatchObject({ status: 'merged', mergedIntoId: 1 });
    const kids = (await s.hd.tickets.incidents.children(1)).map((k) => k.ticketRef).sort();
    expect(kids).toEqual([...refs.vpn!, ...refs.wifi!].sort());
    for (const r of refs.wifi!) expect((await s.hd.tickets.reads.find(r))!.incidentId).toBe(1);
    // Merged away, it is no longer a known issue.
    expect((await s.hd.tickets.incidents.known()).map((k) => k.ref)).toEqual(['MI-1']);

    const r = await form('/console/incidents/MI-1/resolve', { resolution: 'The Pune core switch was replaced.' });
    expect(r.headers.get('location')).toBe('/console/incidents/MI-1?m=resolve');
    for (const ref of [...refs.vpn!, ...refs.wifi!]) {
      const t = (await s.hd.tickets.reads.find(ref))!;
      expect(t.status, ref).toBe('resolved');
      expect(await s.hd.db.models.OutboxMail.count({ where: { ticketId: t.id, kind: 'resolved' } })).toBe(1);
    }
    const p = await page('/console/incidents/MI-1');
    expect(p).toContain('The Pune core switch was replaced.');
    expect(p).not.toContain('Send update');
    expect((await form('/console/incidents/MI-1/resolve', { resolution: 'again' })).headers.get('location')).toBe(
      '/console/incidents/MI-1?e=invalid_transition',
    );
  });
});
