/**
 * Intake from a real Dovecot: a backlog of messages through parse → store → triage → route → outbox on SQLite,
 * compared with mailparser alone parsing the same messages; and email-to-AI-reply-queued latency with IDLE.
 */
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { simpleParser } from 'mailparser';
import { ImapFlow } from 'imapflow';
import { Op } from 'sequelize';
import { loadConfig } from '../server/config.js';
import { buildHelpdesk } from '../server/main.js';
import { silentLogger } from '../server/log.js';
import { readJsonl } from '../server/seeds.js';
import { startDovecot } from '../tests/support/dovecot.js';
import { memorySampler, percentile, round, sleep, until, type Figure } from './util.js';

interface Seed {
  subject?: string;
  text: string;
  severity: string;
  urgency: string;
}

function messages(root: string, n: number, tag: string, filter?: (s: Seed) => boolean): Buffer[] {
  const seeds = readJsonl<Seed>(path.join(root, 'seeds/training-tickets.jsonl')).filter(filter ?? (() => true));
  return Array.from({ length: n }, (_, i) => {
    const s = seeds[i % seeds.length]!;
    return Buffer.from(
      `From: Employee ${i} <employee${i % 500}@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: ${(s.subject ?? 'help').replace(/[\r\n]/g, ' ')}\r\n` +
        `Message-ID: <${tag}-${i}@corp.example>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${s.text}\r\n\r\nThanks,\r\nEmployee ${i}\r\n`,
    );
  });
}

async function helpdesk(imapUrl: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'hd-bench-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${dir}/h.sqlite`,
    DATA_DIR: dir,
    SEED_DEMO: 'false',
    IMAP_URL: imapUrl,
    IMAP_POLL_SECONDS: '60',
    APP_SECRET: 'bench-secret-0123456789abcdef',
  });
  return buildHelpdesk(config, { log: silentLogger });
}

async function appendAll(url: string, raws: Buffer[]) {
  const u = new URL(url);
  const c = new ImapFlow({
    host: u.hostname,
    port: Number(u.port),
    secure: false,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    logger: false,
  });
  await c.connect();
  for (const r of raws) await c.append('INBOX', r);
  await c.logout();
}

/** Backlog throughput and its ratio to mailparser alone; peak RSS of the (in-process) server during intake. */
export async function benchIntake(root: string, n: number): Promise<Figure[]> {
  const raws = messages(root, n, `bl${Date.now()}`);
  const dovecot = await startDovecot();
  try {
    await appendAll(dovecot.url, raws);
    const hd = await helpdesk(dovecot.url);
    const before = round(process.memoryUsage().rss / 1048576, 0);
    const mem = memorySampler();
    const t0 = performance.now();
    hd.startJobs();
    await until(
      async () =>
        hd.imap!.timing().moved >= n &&
        (await hd.db.models.InboundEmail.count({ where: { status: { [Op.ne]: 'received' } } })) >= n &&
        (await hd.db.models.Ticket.count({ where: { status: 'new' } })) === 0,
      30 * 60_000,
      'the backlog',
    );
    const secs = (performance.now() - t0) / 1000;
    const peak = mem.stop();
    const tickets = await hd.db.models.Ticket.count();
    const tm = hd.imap!.timing();
    await hd.stop();
    const rate = n / secs;
    // After intake, so that the bare parser's garbage is not counted in the server's peak memory.
    const p0 = performance.now();
    for (const r of raws) await simpleParser(r);
    const parseRate = n / ((performance.now() - p0) / 1000);
    // The reader's own clock, phase by phase (they run one after another within a batch, so they add up).
    const imapSecs = (tm.listMs + tm.fetchMs + tm.storeMs + tm.moveMs) / 1000;
    const s1 = (ms: number) => round(ms / 1000, 2);
    return [
      {
        name: `intake from Dovecot, ${n.toLocaleString('en')}-message backlog (SQLite)`,
        value: round(rate, 1),
        unit: 'emails/s',
        target: '≥ 1,000',
        note: `${tickets} tickets in ${round(secs, 1)} s; parse → store → triage → route → outbox`,
      },
      {
        name: 'intake, the IMAP side alone (list + fetch + store raw + move)',
        value: round(tm.messages / imapSecs, 0),
        unit: 'emails/s',
        note:
          `${tm.batches} batches: list ${s1(tm.listMs)} s, fetch ${s1(tm.fetchMs)} s, store ${s1(tm.storeMs)} s, ` +
          `move ${s1(tm.moveMs)} s; processing (parse + ticket service) ${s1(tm.processMs)} s`,
      },
      {
        name: 'mailparser alone on the same messages',
        value: round(parseRate, 0),
        unit: 'emails/s',
        note: `intake runs at ${round((rate / parseRate) * 100, 1)}% of bare parsing`,
      },
      {
        name: 'peak memory (RSS) during intake',
        value: peak,
        unit: 'MB',
        target: '≤ 250',
        note: `server in-process with the bench; ${before} MB before intake started`,
      },
    ];
  } finally {
    await dovecot.stop();
  }
}

/** Email-to-AI-reply-queued latency with IMAP IDLE. */
export async function benchLatency(root: string, samples: number): Promise<Figure[]> {
  const dovecot = await startDovecot();
  try {
    const hd = await helpdesk(dovecot.url);
    hd.startJobs();
    await sleep(1500); // connected and idling
    const raws = messages(root, samples, `lat${Date.now()}`, (s) => s.severity === 'low' && s.urgency === 'low');
    const times: number[] = [];
    let ai = 0;
    for (let i = 0; i < raws.length; i++) {
      const id = /Message-ID: <([^>]+)>/.exec(raws[i]!.toString())![1];
      const t0 = performance.now();
      await appendAll(dovecot.url, [raws[i]!]);
      const m = await until(
        () => hd.db.models.Message.findOne({ where: { emailMessageId: id } }),
        20_000,
        'the ticket',
      );
      const out = await until(
        () => hd.db.models.OutboxMail.findOne({ where: { ticketId: m.ticketId } }),
        20_000,
        'the reply',
      );
      times.push(performance.now() - t0);
      if (out.kind === 'ai_answer') ai++;
    }
    await hd.stop();
    return [
      {
        name: 'email to AI reply queued, with IDLE',
        value: round(percentile(times, 50) / 1000, 2),
        unit: 's (p50)',
        target: 'p50 ≤ 1',
        note: `p95 ${round(percentile(times, 95) / 1000, 2)} s over ${samples} emails (${ai} answered by the AI agent, the rest acknowledged)`,
      },
    ];
  } finally {
    await dovecot.stop();
  }
}
