import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

describe('requester tokens are scoped to the tickets made in one browser', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  });
  afterAll(async () => s?.stop());

  const create = async (body: Record<string, string>) =>
    (await s.api('/api/tickets', { method: 'POST', json: { name: 'N', devCenter: 'Pune', ...body } })).json();
  const mine = async (token: string) =>
    (await s.api('/api/my/tickets', { headers: { authorization: `Bearer ${token}` } })).json();

  it("lists what this browser created, and typing someone else's email does not open their history", async () => {
    const a1 = await create({ email: 'alice@corp.example', issue: 'My monitor flickers on the dock.' });
    const a2 = await create({
      email: 'alice@corp.example',
      issue: 'Printer on floor 2 is offline.',
      requesterToken: a1.requesterToken,
    });
    expect((await mine(a2.requesterToken)).tickets.map((t: { ref: string }) => t.ref).sort()).toEqual(
      [a1.ref, a2.ref].sort(),
    );

    const intruder = await create({ email: 'alice@corp.example', issue: 'Just curious.' });
    expect((await mine(intruder.requesterToken)).tickets.map((t: { ref: string }) => t.ref)).toEqual([intruder.ref]);
    const r = await s.api(`/api/my/tickets/${a1.ref}`, {
      headers: { authorization: `Bearer ${intruder.requesterToken}` },
    });
    expect(r.status).toBe(404);

    // Another person's token cannot be used to extend the list either.
    const bob = await create({ email: 'bob@corp.example', issue: 'VPN drops.', requesterToken: a2.requesterToken });
    expect((await mine(bob.requesterToken)).tickets.map((t: { ref: string }) => t.ref)).toEqual([bob.ref]);
  });

  it('rejects a signature with a stray character appended', async () => {
    const a = await create({ email: 'carol@corp.example', issue: 'Keyboard missing keys.' });
    const r = await s.api('/api/my/tickets', { headers: { authorization: `Bearer ${a.requesterToken}A` } });
    expect(r.status).toBe(403);
  });
});
