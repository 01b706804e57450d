/**
 * Issue 11, item 2, over HTTP: the rules that decide whether an emoji link's GET counts, per email (the nonce in
 * its links), and settling provisional scores exactly once even when settlements race.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

describe('email link fetches', () => {
  let s: TestServer;
  let offset = 0;
  const minutes = (n: number) => {
    offset += n * 60_000;
  };
  beforeAll(async () => {
    s = await startTestServer({}, { jobs: false, clock: () => new Date(Date.now() + offset) });
  });
  afterAll(async () => s?.stop());

  const models = () => s.hd.db.models;
  const get = (url: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { 'user-agent': BROWSER, ...(init.headers as Record<string, string>) } });
  /** An AI-answered ticket and the links of its answer email. */
  async function answered(email: string) {
    const t = await (
      await s.api('/api/tickets', {
        method: 'POST',
        json: { name: 'Pat', email, issue: 'How do I set an automatic out of office reply in Outlook?' },
      })
    ).json();
    const mail = (await models().OutboxMail.findOne({ where: { ticketId: t.id, kind: 'ai_answer' } }))!;
    const links = [...mail.html!.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    const face = (n: number) => links.find((l) => l.endsWith(`/feedback/${n}`))!;
    return { t, mail, links, face };
  }
  const scores = async (ticketId: number) =>
    (await models().Feedback.findAll({ where: { ticketId } })).map((f) => f.score);

  it('takes nothing from a HEAD, a scanner agent, or a GET seconds after the mail was queued', async () => {
    const a = await answered('head@corp.example');
    minutes(5);
    expect((await get(a.face(5), { method: 'HEAD' })).status).toBe(200);
    await get(a.face(5), { headers: { 'user-agent': 'Mozilla/5.0 (compatible; Mimecast Safe Links)' } });
    const b = await answered('quick@corp.example');
    const page = await (await get(b.face(1))).text(); // within seconds of the mail: a scanner
    expect(page).toContain('Nothing is recorded yet');
    expect(page).not.toMatch(/thank/i);
    minutes(2);
    await s.hd.tickets.settleFeedback();
    expect(await scores(a.t.id)).toEqual([]);
    expect(await scores(b.t.id)).toEqual([]);
    const reasons = (await models().LinkFetch.findAll({ where: { state: 'dropped' } })).map((f) => f.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['HEAD request', 'scanner user agent', 'fetched seconds after sending']),
    );
  });

  it('drops a score when another link of the same email is fetched within the minute, either side', async () => {
    const a = await answered('two@corp.example');
    minutes(5);
    expect(await (await get(a.face(4))).text()).toContain('Recorded:');
    minutes(0.5);
    await get(a.links.find((l) => l.endsWith('/close'))!); // after the emoji, within its window
    minutes(1);
    expect(await s.hd.tickets.settleFeedback()).toBe(0);
    expect(await scores(a.t.id)).toEqual([]);
    expect((await models().Ticket.findByPk(a.t.id))!.status).toBe('waiting_on_user');
  });

  it("keeps emails apart: a link of another email does not cancel this one's score", async () => {
    const a = await answered('apart@corp.example');
    await s.hd.tickets.resolve(a.t.id, 'Set up the rule for you.', 'agent:7');
    const resolved = (await models().OutboxMail.findOne({ where: { ticketId: a.t.id, kind: 'resolved' } }))!;
    const reopen = /href="([^"]+\/reopen)"/.exec(resolved.html!)![1]!;
    minutes(5);
    await get(a.face(3));
    const page = await (await get(reopen)).text(); // the resolution email's link: another email
    expect(page).toContain('Reopen the ticket');
    minutes(1.1);
    expect(await s.hd.tickets.settleFeedback()).toBe(1);
    expect(await scores(a.t.id)).toEqual([3]);
    expect((await models().Ticket.findByPk(a.t.id))!.status).toBe('resolved'); // the GET reopened nothing
  });

  it('settles each provisional score once, however many settlements race', async () => {
    const many = [];
    for (const x of ['r1', 'r2', 'r3']) many.push(await answered(`${x}@corp.example`));
    minutes(5);
    for (const [i, a] of many.entries()) await get(a.face(i + 1));
    minutes(1.1);
    const settled = await Promise.all([1, 2, 3, 4].map(() => s.hd.tickets.settleFeedback()));
    expect(settled.reduce((x, y) => x + y, 0)).toBe(3);
    for (const [i, a] of many.entries()) {
      expect(await scores(a.t.id)).toEqual([i + 1]);
      expect(await models().AuditEvent.count({ where: { ticketId: a.t.id, action: 'feedback' } })).toBe(1);
    }
  });

  it('still honours links issued before mail nonces', async () => {
    const a = await answered('legacy@corp.example');
    const old = s.hd.signer.sign({ t: a.t.id, a: 'ticket', e: 'legacy@corp.example' }, 90);
    minutes(5);
    expect(await (await get(`${s.url}/t/${old}/feedback/5`)).text()).toContain('Recorded:');
    minutes(1.1);
    await s.hd.tickets.settleFeedback();
    expect(await scores(a.t.id)).toEqual([5]);
  });
});
