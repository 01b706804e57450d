/**
 * The IMAP mail source (imapflow). IDLE when the server offers it, so new mail is a ticket within about a
 * second (mature helpdesks poll every 30 s to 5 min); a poll as the fallback; reconnect with backoff when the
 * server goes away. One process reads the inbox at a time: the reader holds the 'imap' lease and renews it on
 * every pass; the others stand by. A message is flagged \Seen and moved only after intake committed it.
 */
import { ImapFlow } from 'imapflow';
import type { Leases } from '../../db/leases.js';
import type { Logger } from '../../log.js';
import type { TokenProvider } from '../oauth/tokens.js';
import { plaintextPolicy, plaintextRefused } from '../tls.js';
import type { Intake, Stored } from './intake.js';
import { planBatches, uidSet } from './imap-batches.js';
import type { MailSource } from './source.js';

export interface ImapSourceOptions {
  url: string;
  processedMailbox: string;
  failedMailbox: string;
  pollSeconds: number;
  leaseMs: number;
  /** MAIL_ALLOW_PLAINTEXT: without it, imap:// to a host that is not loopback must upgrade with STARTTLS. */
  allowPlaintext?: boolean;
}

export type ImapState = 'starting' | 'standby' | 'connected' | 'reconnecting' | 'stopped';

const sleep = (ms: number, signal: { wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.wake = () => {
      clearTimeout(t);
      resolve();
    };
  });

/** Parses imap://user:pass@host:port/MAILBOX (imaps:// for TLS). */
export function parseImapUrl(url: string) {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  return {
    host: u.hostname,
    port: Number(u.port || (secure ? 993 : 143)),
    secure,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    mailbox: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX',
  };
}

export function createImapSource(
  opts: ImapSourceOptions,
  deps: {
    intake: Intake;
    leases: Leases;
    log: Logger;
    databaseUp: () => Promise<boolean>;
    /** MAIL_AUTH=oauth2: sign in with XOAUTH2 using this provider's tokens instead of the URL's password. */
    tokens?: TokenProvider | null;
  },
) {
  const cfg = parseImapUrl(opts.url);
  const tls = plaintextPolicy(cfg.secure, cfg.host, opts.allowPlaintext ?? false);
  let state: ImapState = 'starting';
  let lastError: string | null = null;
  let stopped = false;
  let client: ImapFlow | null = null;
  const signal: { wake?: () => void } = {};
  let lastPassAt: Date | null = null;
  let loop: Promise<void> | null = null;
  const failures = new Map<number, number>();

  /** Where a pass spends its time, summed since start (the intake benchmark reads it). */
  const timing = { listMs: 0, fetchMs: 0, storeMs: 0, processMs: 0, moveMs: 0, messages: 0, moved: 0, batches: 0 };
  const since = (t: number) => performance.now() - t;

  /**
   * Moves every message in the inbox through intake, a batch at a time (imap-batches.ts): one FETCH of the
   * batch, one transaction storing it, processing in order with parsing ahead, one MOVE per destination. Only
   * messages whose raw bytes committed are moved. Returns false when the lease was lost on the way.
   */
  async function drain(c: ImapFlow): Promise<boolean> {
    const t = performance.now();
    // One round trip lists every message with its size, so batches are cut by bytes before any is fetched. A
    // single new message (IDLE) is a batch of one at once: nothing waits for a batch to fill.
    const listed: { uid: number; size: number }[] = [];
    for await (const m of c.fetch('1:*', { uid: true, size: true })) listed.push({ uid: m.uid, size: m.size ?? 0 });
    timing.listMs += since(t);
    // A backlog can take longer than the lease, and so can one batch: renew it as we go, or a standby process
    // takes the expired lease and both read the inbox at once. Stop after the batch in hand when it was lost.
    let lost = false;
    const renew = setInterval(
      () =>
        void deps.leases.acquire('imap', opts.leaseMs).then(
          (held) => (lost ||= !held),
          () => undefined, // a missed renewal only shortens the lease
        ),
      Math.max(250, opts.leaseMs / 3),
    );
    // A pipeline of two: the next batch is fetched and stored while the one before is processed (parsing and
    // tickets take longer than IMAP and the store), and processed only once that one is done, so messages are
    // still processed in inbox order. The MOVE of a batch waits for the FETCH in flight (imapflow queues commands).
    let pending: Promise<void> | null = null;
    let waiting: Taken | null = null;
    try {
      for (const uids of planBatches(listed)) {
        if (stopped || lost) break;
        waiting = await take(c, uids);
        const taken = waiting;
        if (pending) await pending;
        waiting = null;
        pending = settle(c, taken);
        pending.catch(() => undefined); // awaited at the next turn
        timing.batches++;
        // The database refused to store: no further batches until the next pass.
        if (taken.error) break;
      }
      if (pending) await pending;
    } finally {
      clearInterval(renew);
      await pending?.catch(() => undefined); // never leave a batch running behind us
      // A batch stored but not processed (the one before it failed): give its claims up for the next pass.
      if (waiting) {
        waiting.unhold();
        await deps.intake.processMany(waiting.stored, { stopping: () => true }).catch(() => undefined);
      }
    }
    return stopped || !lost;
  }

  type Taken = { got: { uid: number; source: Buffer }[]; stored: Stored[]; error: Error | null; unhold: () => void };

  /** Fetches a batch and stores it; every message whose raw bytes committed may be moved after it is processed. */
  async function take(c: ImapFlow, uids: number[]): Promise<Taken> {
    let t = performance.now();
    const got: Taken['got'] = [];
    // BODY.PEEK[] of the whole batch in one command, streamed (imapflow hands over one message at a time);
    // the batch limits bound what is held. A message gone meanwhile (moved by another client) is simply absent.
    for await (const m of c.fetch(uidSet(uids), { uid: true, source: true }, { uid: true }))
      if (m.source) got.push({ uid: m.uid, source: m.source });
    timing.fetchMs += since(t);
    t = performance.now();
    const stored = await deps.intake.storeMany(
      got.map((g) => g.source),
      'imap',
    );
    let error: Error | null = null;
    for (const [i, s] of stored.entries()) {
      const { uid, source } = got[i]!;
      if (!('error' in s)) {
        failures.delete(uid);
        continue;
      }
      // The database could not store it. While the database is down, keep it in the inbox for the next pass;
      // when the database answers but this one message keeps failing, quarantine it so it never blocks the rest.
      const n = (failures.get(uid) ?? 0) + 1;
      failures.set(uid, n);
      if (n < 3 || !(await deps.databaseUp())) {
        error ??= s.error;
        continue;
      }
      const r = await deps.intake.quarantine(source, 'imap', `could not be stored: ${s.error.message}`);
      deps.log.error({ uid, inboundId: r.inboundId, err: s.error.message }, 'imap message quarantined');
      failures.delete(uid);
      stored[i] = { result: r };
    }
    timing.storeMs += since(t);
    timing.messages += got.length;
    // Born claimed: renewed from now on, or a claim could lapse while the batch before is processed.
    return { got, stored, error, unhold: deps.intake.hold(stored) };
  }

  /** Processes a stored batch and moves what it can: one MOVE per destination. */
  async function settle(c: ImapFlow, { got, stored, error, unhold }: Taken) {
    let t = performance.now();
    let results: Awaited<ReturnType<Intake['processMany']>>;
    try {
      results = await deps.intake.processMany(stored, { stopping: () => stopped });
    } finally {
      unhold();
    }
    timing.processMs += since(t);
    t = performance.now();
    const moves = new Map<string, number[]>();
    for (const [i, r] of results.entries()) {
      // Not stored, or another worker holds the stored row (a restart within its claim): left in the inbox for
      // the next pass, so it is moved by its final status (a quarantined one to Failed).
      if (!r || r.claimedElsewhere) continue;
      const dest = r.status === 'failed' ? opts.failedMailbox : opts.processedMailbox;
      moves.set(dest, [...(moves.get(dest) ?? []), got[i]!.uid]);
    }
    for (const [dest, moved] of moves) {
      const set = uidSet(moved);
      await c.messageFlagsAdd(set, ['\\Seen'], { uid: true });
      await c.messageMove(set, dest, { uid: true });
      timing.moved += moved.length;
      deps.log.debug({ n: moved.length, dest }, 'imap messages moved');
    }
    timing.moveMs += since(t);
    if (error) throw error;
  }

  /**
   * Connects and signs in. With OAuth2, a token the server refuses is renewed once and tried again (it may have
   * been revoked before its expiry); a second refusal is an error that names what to check.
   */
  async function connect(): Promise<ImapFlow> {
    const { user } = cfg.auth;
    let offered: string | undefined;
    for (let attempt = 0; ; attempt++) {
      if (deps.tokens) offered = attempt ? await deps.tokens.renew(offered) : await deps.tokens.token();
      const auth = deps.tokens ? { user, accessToken: offered! } : cfg.auth;
      const c = new ImapFlow({
        host: cfg.host,
        port: cfg.port,
        secure: cfg.secure,
        // true: STARTTLS must succeed; undefined: opportunistic (loopback, or MAIL_ALLOW_PLAINTEXT=true).
        doSTARTTLS: tls === 'require-starttls' ? true : undefined,
        auth,
        logger: false,
        disableAutoIdle: true,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 5 * 60_000,
      });
      client = c;
      c.on('error', (err: Error) => deps.log.warn({ err: err.message }, 'imap connection error'));
      try {
        await c.connect();
        return c;
      } catch (err) {
        c.close();
        const e = err as { tlsFailed?: boolean; authenticationFailed?: boolean; responseText?: string };
        if (e.tlsFailed) throw plaintextRefused('IMAP', cfg.host, cfg.port, err);
        if (!deps.tokens || !e.authenticationFailed) throw err;
        if (attempt === 0) {
          deps.log.warn({ user, server: e.responseText }, 'imap refused the oauth2 access token; renewing it once');
          continue;
        }
        throw new Error(
          `IMAP server ${cfg.host}:${cfg.port} refused a fresh OAuth2 access token for ${user}` +
            `${e.responseText ? ` (${e.responseText})` : ''}: check the app's IMAP permission and its access to ` +
            'the mailbox',
          { cause: err },
        );
      }
    }
  }

  async function session() {
    const c = await connect();
    lastError = null;
    for (const box of [opts.processedMailbox, opts.failedMailbox]) {
      const list = await c.list();
      if (!list.some((m) => m.path === box)) await c.mailboxCreate(box);
    }
    await c.mailboxOpen(cfg.mailbox);
    // New mail (EXISTS) or the server going away (restart, idle timeout) ends the wait. Either can arrive while a
    // pass is still running, before the wait exists: `woken` remembers it, so the next pass starts at once instead
    // of after the poll interval.
    let woken = false;
    const wake = () => {
      woken = true;
      signal.wake?.();
    };
    c.on('exists', wake);
    c.on('close', wake);
    const idle = c.capabilities.has('IDLE');
    state = 'connected';
    deps.log.info({ host: cfg.host, port: cfg.port, mailbox: cfg.mailbox, idle }, 'imap connected');
    while (!stopped && c.usable) {
      woken = false;
      if (!(await deps.leases.acquire('imap', opts.leaseMs)) || !(await drain(c))) {
        state = 'standby';
        deps.log.warn('imap lease lost; standing by');
        break;
      }
      lastPassAt = new Date();
      // Keep the token fresh for the next connect; the signed-in IDLE session itself does not need it again.
      if (deps.tokens) void deps.tokens.token().catch(() => undefined);
      if (woken || !c.usable) continue;
      // Wait for EXISTS (IDLE) or the poll interval, and never longer than half the lease.
      const wait = sleep(Math.min(opts.pollSeconds * 1000, opts.leaseMs / 2), signal);
      if (idle) void c.idle().catch(() => signal.wake?.());
      await wait;
    }
  }

  async function run() {
    let backoff = 1000;
    while (!stopped) {
      if (!(await deps.leases.acquire('imap', opts.leaseMs).catch(() => false))) {
        state = 'standby';
        await sleep(Math.max(1000, opts.leaseMs / 3), signal);
        continue;
      }
      try {
        await session();
        backoff = 1000;
        if (!stopped && state === 'connected') {
          // The server closed the session: reconnect, but never in a tight loop against one that keeps doing so.
          state = 'reconnecting';
          await sleep(1000, signal);
        }
      } catch (err) {
        if (stopped) break;
        state = 'reconnecting';
        lastError = (err as Error).message;
        deps.log.warn({ err: lastError, retryInMs: backoff }, 'imap session ended; reconnecting');
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 30_000);
      } finally {
        const c = client;
        client = null;
        if (c?.usable) await c.logout().catch(() => c.close());
        else c?.close();
      }
    }
    state = 'stopped';
  }

  const source = {
    name: 'imap',
    start() {
      loop ??= run();
    },
    /** Stops after the batch in hand (messages not started are left for the next pass), closes the connection and
     * releases the lease. */
    async stop() {
      stopped = true;
      signal.wake?.();
      client?.close();
      await loop;
      await deps.leases.release('imap').catch(() => undefined);
    },
    status: () => {
      const t = deps.tokens?.status();
      return {
        state,
        lastPassAt,
        auth: t ? t.auth : ('password' as const),
        ...(t ? { tokenExpiresIn: t.tokenExpiresIn } : {}),
        error: lastError ?? t?.error ?? null,
      };
    },
  } satisfies MailSource;
  /** Milliseconds spent listing, fetching, storing, processing and moving; messages read and moved; since start. */
  return Object.assign(source, { timing: () => ({ ...timing }) });
}

export type ImapSource = ReturnType<typeof createImapSource>;
