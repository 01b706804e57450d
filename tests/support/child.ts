/** The helpdesk as a real child process (`node --import tsx server/main.ts`), for drills that kill it with -9. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './dovecot.js';
import { TEST_ADMIN_TOKEN } from './server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChildServer {
  url: string;
  port: number;
  pid: number;
  proc: ChildProcess;
  /** The last ~64 KB of the process's stdout and stderr, for failure messages. */
  output(): string;
  /** SIGKILL: no shutdown hook runs, leases stay taken until they expire. */
  kill9(): Promise<void>;
  /** SIGTERM: the graceful shutdown of npm start. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** Environment every child gets: a temp DATA_DIR, fixed secrets, no demo data, warnings only. */
export function childEnv(env: Record<string, string>): Record<string, string> {
  return {
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'hd-child-')),
    APP_SECRET: 'test-secret-0123456789abcdef',
    ADMIN_API_TOKEN: TEST_ADMIN_TOKEN,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    WIDGET_RATE_LIMIT: '0',
    // The test addresses: widget tickets and automatic mail go only to ALLOWED_REQUESTER_DOMAINS.
    ALLOWED_REQUESTER_DOMAINS: 'corp.example',
    ...env,
  };
}

/** Starts server/main.ts with `env` (PORT is chosen here unless given) and waits until /healthz answers 200. */
export async function startChildServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildServer> {
  const port = Number(env.PORT ?? (await freePort()));
  const url = `http://127.0.0.1:${port}`;
  // The vitest environment (NODE_ENV=test, a DATABASE_URL of the run, …) must not leak into the child.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|IMAP_|SMTP_|OPENAI_|VITEST|NODE_OPTIONS)/.test(k)),
  );
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...base, PUBLIC_URL: url, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-64 * 1024);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const gone = () => proc.exitCode !== null || proc.signalCode !== null;

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone())
      throw new Error(`helpdesk child exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${out}`);
    const ok = await fetch(url + '/healthz', { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`helpdesk child not ready after ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  const end = async (signal: NodeJS.Signals) => {
    if (gone()) return;
    proc.kill(signal);
    // A shutdown that hangs must not hang the suite: it is SIGKILLed after 15 s (and the test sees the output).
    const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  };
  return {
    url,
    port,
    pid: proc.pid!,
    proc,
    output: () => out,
    kill9: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    exited,
  };
}
