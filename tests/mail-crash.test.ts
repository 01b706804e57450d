/**
 * A message whose processing kills the server, every time: real server processes, killed with -9 while they work
 * on it. Attempts are counted before the work, so after MAX_ATTEMPTS tries the next process quarantines the message
 * instead of dying again (a liveness probe restarting a crashing server makes that a loop forever otherwise).
 * "Dies on this message" is made real by an OpenAI that never answers: processing hangs in triage, then -9.
 */
import { rmSync } from 'node:fs';
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../server/db/database.js';
import { MAX_ATTEMPTS } from '../server/mail/inbound/claims.js';
import { type ChildServer, childEnv, startChildServer } from './support/child.js';
import { freshDatabaseUrl } from './support/db.js';
import { type OpenAIStub, startOpenAIStub } from './support/openai-stub.js';
import { TEST_ADMIN_TOKEN } from './support/server.js';
import { until } from './support/wait.js';

const RAW =
  'From: Crash Test <crash@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: the laptop reboots\r\n' +
  'Message-ID: <crash-1@corp.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMy laptop reboots when I dock it.\r\n';

describe('a message that kills the server every time it is processed', () => {
  let stub: OpenAIStub;
  let db: { url: string; drop(): Promise<void> };
  let sql: Sequelize;
  let server: ChildServer | null = null;
  let env: Record<string, string> = {};

  beforeAll(async () => {
    stub = await startOpenAIStub();
    stub.respondWith(() => ({ delayMs: 600_000, then: { status: 500 } })); // triage never returns
    db = await freshDatabaseUrl();
    sql = createDatabase(db.url);
    // Short leases: a dead process's claim and job leases expire within seconds.
    env = childEnv({
      DATABASE_URL: db.url,
      LEASE_SECONDS: '2',
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: stub.baseURL,
      OPENAI_TIMEOUT_MS: '120000',
    });
  });
  afterAll(async () => {
    await server?.kill9();
    if (env.DATA_DIR) rmSync(env.DATA_DIR, { recursive: true, force: true });
    await sql?.close();
    await db?.drop();
    await stub?.stop();
  });

  const row = async () =>
    (
      await sql.query<{ status: string; attempts: number; claimed_by: string | null; reason: string | null }>(
        'SELECT status, attempts, claimed_by, reason FROM inbound_emails',
        { type: QueryTypes.SELECT },
      )
    )[0];

  it(`is quarantined after ${MAX_ATTEMPTS} attempts, and the server keeps running`, async () => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      server = await startChildServer(env);
      if (attempt === 1) {
        // The webhook stores it and starts processing; the request never completes.
        void fetch(`${server.url}/api/inbound/email`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
          body: RAW,
        }).catch(() => undefined);
      }
      // Counted before the work: the row says "attempt n, being processed" while the process hangs in it.
      await until(
        async () => {
          const r = await row();
          return r && r.status === 'received' && Number(r.attempts) === attempt && r.claimed_by !== null;
        },
        60_000,
        `attempt ${attempt} to be under way`,
        250,
      );
      await server.kill9();
      server = null;
    }
    server = await startChildServer(env);
    const r = await until(
      async () => {
        const x = await row();
        return x?.status === 'failed' ? x : null;
      },
      60_000,
      'the quarantine',
      250,
    );
    expect(r.reason).toMatch(new RegExp(`quarantined after ${MAX_ATTEMPTS} attempts`));
    expect(Number(r.attempts)).toBe(MAX_ATTEMPTS + 1);
    expect(r.claimed_by).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // The same message delivered again stays quarantined: a mail source moves it to Failed.
    const again = await fetch(`${server.url}/api/inbound/email`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: RAW,
    });
    expect(again.status).toBe(422);
  }, 300_000);
});
