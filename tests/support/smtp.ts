/** A real SMTP server (smtp-server package) on a random loopback port that keeps every message it receives. */
import { SMTPServer } from 'smtp-server';
import { freePort } from './dovecot.js';

export interface SinkMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

export interface SmtpSink {
  host: string;
  port: number;
  /** smtp://127.0.0.1:PORT */
  url: string;
  /** Every message received, in order; survives down()/start(). */
  messages: SinkMessage[];
  /** Resolves with `messages` once at least `n` have arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /** Listens again on the same port after stop()/down(). */
  start(): Promise<void>;
  /** Closes the listener and drops open connections; `messages` is kept so start() can follow. */
  stop(): Promise<void>;
  /** Alias of stop(): reads better in outage tests (`await smtp.down(); ...; await smtp.start()`). */
  down(): Promise<void>;
  /** Every AUTH attempt (XOAUTH2 mode): the user, the token offered and whether it was accepted. */
  auths: { user: string; token: string; ok: boolean }[];
  /** How many SMTP connections were opened so far (a health probe that signs in shows up here). */
  connections(): number;
}

export interface SmtpSinkOptions {
  /**
   * Require XOAUTH2 (as Microsoft 365 and Gmail do): the server accepts a sign-in when this says the bearer token
   * is good for the user; a refused one gets the RFC 7628 error challenge, so the client may renew and retry.
   */
  xoauth2?: (user: string, token: string) => boolean;
  /** Answers each message's DATA this much later (a slow relay); the message counts as received then. */
  delayMs?: number;
}

export async function startSmtpServer(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = '127.0.0.1';
  const port = await freePort();
  const messages: SinkMessage[] = [];
  const waiters = new Set<() => void>();
  const auths: SmtpSink['auths'] = [];
  let connections = 0;
  const xoauth2 = opts.xoauth2;
  let server: SMTPServer | null = null;

  function notify(): void {
    for (const w of [...waiters]) w();
  }

  // A fresh SMTPServer per start: re-listening a closed instance is not something the package promises.
  function create(): SMTPServer {
    return new SMTPServer({
      authOptional: !xoauth2,
      disabledCommands: ['STARTTLS'],
      ...(xoauth2
        ? {
            authMethods: ['XOAUTH2'],
            // Loopback without TLS, as everywhere in the tests; the helpdesk allows plaintext only on loopback.
            allowInsecureAuth: true,
            onAuth(auth, _session, callback) {
              const ok =
                auth.method === 'XOAUTH2' && !!auth.accessToken && xoauth2(auth.username ?? '', auth.accessToken);
              auths.push({ user: auth.username ?? '', token: auth.accessToken ?? '', ok });
              if (ok) return callback(null, { user: auth.username });
              callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' } });
            },
          }
        : {}),
      logger: false,
      // Pooled client connections would otherwise hold close() for 30 s; an outage should be immediate.
      closeTimeout: 50,
      onConnect(_session, callback) {
        connections++;
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', callback);
        stream.on('end', () => setTimeout(accept, opts.delayMs ?? 0));
        const accept = () => {
          const env = session.envelope;
          messages.push({
            envelope: {
              from: env.mailFrom ? env.mailFrom.address : '',
              to: env.rcptTo.map((r) => r.address),
            },
            raw: Buffer.concat(chunks),
          });
          callback();
          notify();
        };
      },
    });
  }

  async function start(): Promise<void> {
    if (server) return;
    const s = create();
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.listen(port, host, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    // Per-connection errors (a client vanishing mid-session) are expected in outage tests; don't crash the run.
    s.on('error', () => {});
    server = s;
  }

  async function stop(): Promise<void> {
    const s = server;
    server = null;
    if (!s) return;
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await start();

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    messages,
    waitFor(n, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (messages.length < n) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP sink: expected ${n} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    start,
    stop,
    down: stop,
    auths,
    connections: () => connections,
  };
}
