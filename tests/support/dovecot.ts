/** A real Dovecot IMAP server per test file, on a random loopback port, from tests/support/dovecot.conf.tpl. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';

const DOVECOT = '/usr/sbin/dovecot';
const DOVEADM = '/usr/bin/doveadm';
const TEMPLATE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dovecot.conf.tpl');
// Debian's `mail` user; Dovecot will not store mail as root.
const MAIL_UID = 8;
const MAIL_GID = 8;

export interface ListedMessage {
  uid: number;
  flags: string[];
  subject: string;
  raw?: Buffer;
}

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  /** The user's password; in OAuth2 mode a random one nobody is told (only a bearer token signs in). */
  password: string;
  /** imap://user:pass@127.0.0.1:PORT/INBOX with user and password URL-encoded (no password in OAuth2 mode). */
  url: string;
  /** Dovecot's log so far (auth failures, introspection errors). */
  log(): string;
  append(raw: Buffer | string, mailbox?: string): Promise<void>;
  list(mailbox: string): Promise<ListedMessage[]>;
  mailboxes(): Promise<string[]>;
  stop(): Promise<void>;
  /** Stops and starts again on the same port with the same mail (to simulate an IMAP outage). */
  restart(): Promise<void>;
  /**
   * Disconnects every signed-in session of the user (doveadm kick); restart() alone leaves running sessions
   * alive. The next connection has to sign in again.
   */
  kick(): Promise<void>;
}

export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT);
}

/** Binds port 0 to let the kernel pick a free loopback port, then releases it for the server. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port; tries for `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host, port });
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => {
        sock.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts Dovecot. With `oauth2`, the user signs in only with XOAUTH2/OAUTHBEARER tokens that the given
 * introspection endpoint calls active; the helper's own append/list log in as a master user.
 */
export async function startDovecot(
  opts: { user?: string; password?: string; oauth2?: { introspectionUrl: string } } = {},
): Promise<Dovecot> {
  const user = opts.user ?? 'helpdesk@example.test';
  const password = opts.oauth2 ? randomBytes(18).toString('hex') : (opts.password ?? 'secret');
  const master = { user: 'tests', password: randomBytes(12).toString('hex') };
  const host = '127.0.0.1';
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dovecot-test-'));
  // mkdtemp makes the folder 0700; Dovecot's auth process (user `dovecot`) must read the passwd file in it.
  await chmod(dir, 0o755);
  const mailDir = path.join(dir, 'mail');
  await mkdir(mailDir);
  chownSync(mailDir, MAIL_UID, MAIL_GID);
  await writeFile(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  let oauth2Passdb = '';
  if (opts.oauth2) {
    await writeFile(
      path.join(dir, 'oauth2.conf'),
      [
        'introspection_mode = post',
        `introspection_url = ${opts.oauth2.introspectionUrl}`,
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        // Ask on every sign-in: a revoked token must fail at once, not after a cache expires.
        'force_introspection = yes',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    await writeFile(path.join(dir, 'masters'), `${master.user}:{PLAIN}${master.password}\n`, { mode: 0o644 });
    oauth2Passdb = [
      'auth_master_user_separator = *',
      // A refused token answers at once (the default waits 2 s): retry tests stay short.
      'auth_failure_delay = 0',
      'passdb {',
      '  driver = oauth2',
      '  mechanisms = xoauth2 oauthbearer',
      `  args = ${dir}/oauth2.conf`,
      '}',
      'passdb {',
      '  driver = passwd-file',
      '  master = yes',
      `  args = scheme=PLAIN ${dir}/masters`,
      '}',
    ].join('\n');
  }
  const confFile = path.join(dir, 'dovecot.conf');
  const conf = (await readFile(TEMPLATE, 'utf8'))
    .replaceAll('{{OAUTH2_PASSDB}}', oauth2Passdb)
    .replaceAll('{{MECHANISMS}}', opts.oauth2 ? 'plain login xoauth2 oauthbearer' : 'plain login')
    .replaceAll('{{DIR}}', dir)
    .replaceAll('{{PORT}}', String(port));
  await writeFile(confFile, conf);

  let proc: ChildProcess | null = null;

  async function launch(): Promise<void> {
    // -F keeps the master in the foreground as our child, so stop() can end exactly this process.
    const child = spawn(DOVECOT, ['-F', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    proc = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`dovecot exited (${code}): ${stderr}${logTail()}`))),
    );
    exited.catch(() => {}); // only matters while we wait for the port below
    await Promise.race([waitForPort(port), exited]);
  }

  function logTail(): string {
    try {
      return readFileSync(path.join(dir, 'dovecot.log'), 'utf8').split('\n').slice(-10).join('\n');
    } catch {
      return '';
    }
  }

  async function halt(): Promise<void> {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // Dovecot stops its children then exits; SIGKILL only if it hangs.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }

  /** One short-lived IMAP session per call: tests stay independent of connection state. */
  async function withClient<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
    const auth = opts.oauth2 ? { user: `${user}*${master.user}`, pass: master.password } : { user, pass: password };
    const client = new ImapFlow({ host, port, secure: false, auth, logger: false });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  await launch();

  return {
    host,
    port,
    user,
    password,
    url: opts.oauth2
      ? `imap://${encodeURIComponent(user)}@${host}:${port}/INBOX`
      : `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/INBOX`,
    log: () => {
      try {
        return readFileSync(path.join(dir, 'dovecot.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async append(raw, mailbox = 'INBOX') {
      await withClient(async (c) => {
        // Creating the folder on demand lets tests append to e.g. "Processed" without setup.
        if (mailbox !== 'INBOX' && !(await c.list()).some((m) => m.path === mailbox)) await c.mailboxCreate(mailbox);
        const res = await c.append(mailbox, typeof raw === 'string' ? Buffer.from(raw) : raw);
        if (!res) throw new Error(`APPEND to ${mailbox} failed`);
      });
    },
    async list(mailbox) {
      return withClient(async (c) => {
        const lock = await c.getMailboxLock(mailbox);
        try {
          const box = c.mailbox;
          if (!box || box.exists === 0) return [];
          const out: ListedMessage[] = [];
          for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true, source: true })) {
            out.push({ uid: m.uid, flags: [...(m.flags ?? [])], subject: m.envelope?.subject ?? '', raw: m.source });
          }
          return out;
        } finally {
          lock.release();
        }
      });
    },
    async mailboxes() {
      return withClient(async (c) => (await c.list()).map((m) => m.path));
    },
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
    async kick() {
      await new Promise<void>((resolve, reject) =>
        execFile(DOVEADM, ['-c', confFile, 'kick', user], (err, _out, stderr) =>
          // doveadm kick exits 68 when nobody was signed in: nothing to do.
          err && (err as { code?: number }).code !== 68 ? reject(new Error(`doveadm kick: ${stderr}`)) : resolve(),
        ),
      );
    },
  };
}
