/** Widget POST /api/tickets under load (autocannon, concurrency 50) against the real server, and a bare Hono route. */
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { freePort, waitForPort } from '../tests/support/dovecot.js';
import { round, sleep, type Figure } from './util.js';

async function start(
  root: string,
  script: string,
  env: Record<string, string>,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script)], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  await waitForPort(port, 120_000);
  // The helpdesk answers /healthz once migrated and seeded; the port opens only then.
  await sleep(500);
  return { port, child };
}

function load(port: number, seconds: number): Promise<autocannon.Result> {
  let i = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}/api/tickets`,
    connections: 50,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            name: 'Load Test',
            email: `load${i++ % 1000}@corp.example`,
            devCenter: 'Pune',
            issue:
              i % 2
                ? 'How do I set an automatic out of office reply in Outlook?'
                : 'My laptop docking station stopped charging the laptop since this morning.',
          }),
        }),
      },
    ],
  });
}

export async function benchHttp(root: string, seconds: number): Promise<Figure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-http-'));
  const hd = await start(root, 'server/main.ts', {
    DATABASE_URL: `sqlite:${dir}/h.sqlite`,
    DATA_DIR: dir,
    SEED_DEMO: 'false',
    WIDGET_RATE_LIMIT: '0',
    LOG_LEVEL: 'warn',
    APP_SECRET: 'bench-secret-0123456789abcdef',
  });
  let real: autocannon.Result;
  try {
    await load(hd.port, 1); // warm-up
    real = await load(hd.port, seconds);
  } finally {
    hd.child.kill('SIGTERM');
  }
  const bare = await start(root, 'bench/bare-server.ts', {});
  let base: autocannon.Result;
  try {
    base = await load(bare.port, seconds);
  } finally {
    bare.child.kill('SIGTERM');
  }
  const ok = real.requests.total - real.non2xx - real.errors;
  return [
    {
      name: 'widget POST /api/tickets, 50 connections (SQLite)',
      value: round(real.requests.average, 0),
      unit: 'req/s',
      note: `p99 ${real.latency.p99} ms; ${ok} tickets created, ${real.non2xx} non-2xx, ${real.errors} errors; each one triaged, routed, answered and queued`,
    },
    {
      name: 'bare Hono route, same machine, same run',
      value: round(base.requests.average, 0),
      unit: 'req/s',
      note: `p99 ${base.latency.p99} ms; the helpdesk serves ${round((real.requests.average / base.requests.average) * 100, 1)}% of it`,
    },
  ];
}
