/** Two helpdesks in one process (tests, a CLI beside a server) must never read or write each other's database. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { QueryTypes } from 'sequelize';
import { startTestServer, type TestServer } from './support/server.js';

describe('two helpdesks in one process', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({}, { jobs: false });
    b = await startTestServer({}, { jobs: false });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  const count = (s: TestServer) =>
    s.hd.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM tickets', { type: QueryTypes.SELECT });

  it('keeps each one in its own database', async () => {
    const r = await a.api('/api/tickets', {
      method: 'POST',
      json: { name: 'Ann', email: 'ann@corp.example', issue: 'The printer on floor 2 jams on every page.' },
    });
    expect(r.status).toBe(201);
    expect(Number((await count(a))[0]?.n)).toBe(1);
    expect(Number((await count(b))[0]?.n)).toBe(0);
    expect(a.hd.db.models.Ticket).not.toBe(b.hd.db.models.Ticket);
    expect(await b.hd.db.models.Ticket.count()).toBe(0);
    expect((await b.api('/api/tickets', { admin: true })).status).toBe(200);
    expect((await (await b.api('/api/tickets', { admin: true })).json()).tickets).toEqual([]);
  });
});
