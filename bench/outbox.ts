/**
 * Outbox drain (issue 12, item 3: target ≥ 500 mails/s): a backlog of queued rows written straight into the outbox
 * table, then sent by the helpdesk's own sender (claims, pooled SMTP, batched marks) to a local smtp-server, on
 * SQLite and, when it answers, MariaDB. The bare baseline in the same run: nodemailer's pool alone sending the
 * same messages to the same server with as many connections, no database.
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { Sequelize } from 'sequelize';
import { loadConfig } from '../server/config.js';
import { buildHelpdesk } from '../server/main.js';
import { silentLogger } from '../server/log.js';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { round, type Figure } from './util.js';

const CONNECTIONS = Number(process.env.BENCH_SMTP_CONNECTIONS ?? 8);
const text =
  'Hello,\n\nthank you for your message. We have looked at your request and this usually helps: restart the VPN ' +
  'client, sign in again and check that the clock of your laptop is right.\n\n'.repeat(4) +
  'If that does not solve it, just reply to this email and a person will take over.\n\nYour IT team\n';
const html = `<div style="font-family:Arial,sans-serif">${text.replace(/\n/g, '<br>')}</div>`;
const mail = (tag: string, i: number) => ({
  from: 'IT Helpdesk <it@helpdesk.localhost>',
  to: `employee${i % 500}@corp.example`,
  subject: `[IT-${1000 + i}] Re: VPN drops every ten minutes`,
  text,
  html,
  messageId: `<${tag}-${i}@helpdesk.localhost>`,
});

interface Sink {
  host: string;
  port: number;
  url: string;
  received(): Promise<number>;
  stop(): void;
}

/** smtp-server in a child process (bench/outbox-sink.ts), so it does not share the sender's event loop. */
async function startSink(): Promise<Sink> {
  const child = fork(fileURLToPath(new URL('./outbox-sink.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`SMTP sink exited (${code})`)));
  });
  return {
    host: '127.0.0.1',
    port,
    url: `smtp://127.0.0.1:${port}`,
    received: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { received: number }).received));
        child.send('count');
      }),
    stop: () => child.disconnect(),
  };
}

const mariadbUp = () =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: 3306 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** A helpdesk on `databaseUrl` sending to the sink; drain(n) queues n rows and times the sender emptying the queue. */
async function sender(databaseUrl: string, sink: Sink) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-outbox-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dir,
    SEED_DEMO: 'false',
    SMTP_URL: sink.url,
    SMTP_CONNECTIONS: String(CONNECTIONS),
    APP_SECRET: 'bench-secret-0123456789abcdef',
  });
  const hd = await buildHelpdesk(config, { log: silentLogger });
  return {
    async drain(n: number) {
      const tag = randomBytes(4).toString('hex');
      const due = new Date(Date.now() - 1000);
      for (let i = 0; i < n; i += 500)
        await hd.db.models.OutboxMail.bulkCreate(
          Array.from({ length: Math.min(500, n - i) }, (_, j) => {
            const m = mail(tag, i + j);
            return {
              ticketId: null,
              kind: 'ai_answer',
              toAddr: m.to,
              limitKey: m.to,
              subject: m.subject,
              text: m.text,
              html: m.html,
              headers: {},
              emailMessageId: m.messageId.slice(1, -1),
              automatic: true,
              status: 'queued' as const,
              nextAttemptAt: due,
            };
          }),
        );
      const before = await sink.received();
      const t0 = performance.now();
      const r = await hd.deliverOutbox();
      const s = (performance.now() - t0) / 1000;
      const got = (await sink.received()) - before;
      if (r.sent !== n || got !== n) throw new Error(`outbox sent ${r.sent}, the server got ${got} of ${n}`);
      return n / s;
    },
    stop: () => hd.stop(),
  };
}

/** nodemailer's pool alone: the same messages, the same server, as many connections and sends at once. */
async function bare(sink: Sink, n: number) {
  const t = nodemailer.createTransport({
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: 100,
    host: sink.host,
    port: sink.port,
    ignoreTLS: true,
  });
  const tag = randomBytes(4).toString('hex');
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < n) await t.sendMail(mail(tag, next++));
    }),
  );
  const s = (performance.now() - t0) / 1000;
  t.close();
  return n / s;
}

const ROUNDS = 3;

/**
 * Rounds of bare, SQLite, MariaDB in turn; best of the rounds for each (this machine's cores are shared, and other
 * work only ever adds time), the median in the note.
 */
export async function benchOutbox(quick: boolean): Promise<Figure[]> {
  const n = quick ? 1_000 : 5_000;
  const sink = await startSink();
  const senders: { label: string; drain(n: number): Promise<number>; stop(): Promise<void> }[] = [];
  let admin: Sequelize | null = null;
  const name = `hd_bench_outbox_${randomBytes(3).toString('hex')}`;
  try {
    const sqlite = `sqlite:${mkdtempSync(path.join(tmpdir(), 'hd-bench-outbox-'))}/o.sqlite`;
    senders.push({ label: 'SQLite', ...(await sender(sqlite, sink)) });
    if (await mariadbUp()) {
      admin = new Sequelize('mysql://root@127.0.0.1:3306/', { dialect: 'mysql', logging: false });
      await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      senders.push({ label: 'MariaDB', ...(await sender(`mysql://root@127.0.0.1:3306/${name}`, sink)) });
    }
    await bare(sink, Math.min(n, 500)); // warm-up: JIT, the sink's first connections
    const base: number[] = [];
    const runs = senders.map(() => [] as number[]);
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await bare(sink, n));
      for (const [i, s] of senders.entries()) runs[i]!.push(await s.drain(n));
    }
    const best = (xs: number[]) => Math.max(...xs);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return senders.map((s, i) => ({
      name: `outbox drain to a local SMTP server, ${n.toLocaleString('en')} mails (${s.label})`,
      value: Math.round(best(runs[i]!)),
      unit: 'mails/s',
      target: '≥ 500',
      note:
        `best of ${ROUNDS}, median ${Math.round(median(runs[i]!))}; bare nodemailer pool ${Math.round(best(base))} ` +
        `mails/s in the same run (ratio ${round(best(runs[i]!) / best(base), 2)}); ${CONNECTIONS} connections, ` +
        'smtp-server in its own process, every row claimed and marked sent',
    }));
  } finally {
    for (const s of senders) await s.stop();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.close();
    }
    sink.stop();
  }
}
