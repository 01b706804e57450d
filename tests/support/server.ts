/** The whole helpdesk in-process on a fresh database and a free port, built by the same buildHelpdesk as npm start. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { buildHelpdesk, type BuildOptions, type Helpdesk } from '../../server/main.js';
import { createLogger, silentLogger } from '../../server/log.js';
import { freshDatabaseUrl } from './db.js';
import { freePort } from './dovecot.js';

// Tests read JSON bodies loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer {
  hd: Helpdesk;
  url: string;
  port: number;
  /** fetch against the server, with the admin token when admin is true. */
  api(pathname: string, init?: RequestInit & { admin?: boolean; json?: unknown }): Promise<TestResponse>;
  /** POSTs a raw message to the inbound-mail webhook (with the admin token unless admin is false). */
  inbound(raw: string | Buffer, admin?: boolean): Promise<TestResponse>;
  stop(): Promise<void>;
}

/** Starts a helpdesk; env overrides the test defaults (e.g. SMTP_URL, IMAP_URL, SEED_DEMO). */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: BuildOptions & { jobs?: boolean } = {},
): Promise<TestServer> {
  // DATABASE_URL in env: a server (or a restart) on a database the test made and drops itself.
  const db = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => {} } : await freshDatabaseUrl();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hd-data-'));
  // Links in emails carry PUBLIC_URL, so the port is chosen before the server is built.
  const port0 = await freePort();
  const config = loadConfig({
    PORT: String(port0),
    PUBLIC_URL: `http://127.0.0.1:${port0}`,
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    APP_SECRET: 'test-secret-0123456789abcdef',
    ADMIN_API_TOKEN: TEST_ADMIN_TOKEN,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    WIDGET_CLOSE_DELAY_SECONDS: '1',
    // The test addresses: widget tickets and automatic mail go only to ALLOWED_REQUESTER_DOMAINS.
    ALLOWED_REQUESTER_DOMAINS: 'corp.example',
    ...env,
  });
  // HD_TEST_LOG=debug shows the server's structured log while debugging a test.
  const log = process.env.HD_TEST_LOG ? createLogger(process.env.HD_TEST_LOG) : silentLogger;
  const hd = await buildHelpdesk(config, { log, ...opts });
  const port = await hd.listen();
  const url = `http://127.0.0.1:${port}`;
  if (opts.jobs !== false) hd.startJobs();
  function api(pathname: string, init: RequestInit & { admin?: boolean; json?: unknown } = {}) {
    const headers = new Headers(init.headers);
    if (init.admin) headers.set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(url + pathname, { ...init, headers, body }) as Promise<TestResponse>;
  }
  return {
    hd,
    url,
    port,
    api,
    inbound: (raw, admin = true) =>
      api('/api/inbound/email', {
        method: 'POST',
        admin,
        body: typeof raw === 'string' ? raw : new Uint8Array(raw),
        headers: { 'content-type': 'message/rfc822' },
      }),
    async stop() {
      await hd.stop();
      await db.drop();
    },
  };
}

/** The id of the newest outbox row (0 when empty): pass it to signInMail to wait for a mail queued after it. */
export async function lastMailId(hd: Helpdesk): Promise<number> {
  return ((await hd.db.models.OutboxMail.max('id')) as number | null) ?? 0;
}

/**
 * The console sign-in mail to `email` queued after outbox row `afterId`. The sign-in form answers before it looks
 * the address up (equal timing for agents and strangers), so the mail appears a moment later; null after `ms`.
 */
export async function signInMail(hd: Helpdesk, email: string, afterId: number, ms = 5000) {
  const { Op } = await import('sequelize');
  const end = Date.now() + ms;
  for (;;) {
    const mail = await hd.db.models.OutboxMail.findOne({
      where: { kind: 'magic_link', toAddr: email.toLowerCase(), id: { [Op.gt]: afterId } },
      order: [['id', 'DESC']],
    });
    if (mail || Date.now() > end) return mail;
    await new Promise((r) => setTimeout(r, 20));
  }
}
