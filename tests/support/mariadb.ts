/**
 * A private MariaDB server per test file (its own datadir, socket and port), for drills that kill and restart the
 * database: the shared one on 127.0.0.1:3306 serves other test files at the same time and must never be touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './dovecot.js';

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'].find((p) => existsSync(p));

export function mariadbAvailable(): boolean {
  return existsSync(MARIADBD) && INSTALL_DB !== undefined;
}

export interface PrivateMariadb {
  port: number;
  /** mysql://root@127.0.0.1:PORT/NAME (the database is created by createDatabase). */
  url(name: string): string;
  createDatabase(name: string): Promise<void>;
  /** SIGKILL: the way a crashed or OOM-killed database goes away. */
  kill9(): Promise<void>;
  /** Starts again on the same port and data (InnoDB crash recovery runs). */
  start(): Promise<void>;
  /** Stops and deletes the data. */
  destroy(): Promise<void>;
}

export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hd-mariadb-'));
  // mariadbd runs as `mysql` (it refuses root) and must own its folder.
  const uid = Number(spawnSync('id', ['-u', 'mysql']).stdout.toString().trim() || 107);
  const gid = Number(spawnSync('id', ['-g', 'mysql']).stdout.toString().trim() || 110);
  chownSync(dir, uid, gid);
  const datadir = path.join(dir, 'data');
  // Root without a password over TCP (like the shared test server); small redo log so install and recovery are quick.
  const inst = spawnSync(
    INSTALL_DB!,
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=normal',
      '--user=mysql',
      '--skip-test-db',
      '--innodb-log-file-size=16M',
    ],
    { encoding: 'utf8' },
  );
  if (inst.status !== 0) throw new Error(`mariadb-install-db failed (${inst.status}): ${inst.stderr}${inst.stdout}`);
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const log = path.join(dir, 'mariadbd.log');

  async function start() {
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--socket=${path.join(dir, 'sock')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--user=mysql',
        `--pid-file=${path.join(dir, 'pid')}`,
        `--log-error=${log}`,
        '--skip-log-bin',
        '--innodb-buffer-pool-size=64M',
        '--innodb-log-file-size=16M',
      ],
      { stdio: 'ignore' },
    );
    proc = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`mariadbd exited (${code}): ${tail()}`))),
    );
    exited.catch(() => {});
    await Promise.race([waitForPort(port, 30_000), exited]);
  }
  const tail = () => {
    try {
      return readFileSync(log, 'utf8').split('\n').slice(-10).join('\n');
    } catch {
      return '';
    }
  };
  async function kill9() {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
  }

  await start();
  return {
    port,
    url: (name) => `mysql://root@127.0.0.1:${port}/${name}`,
    async createDatabase(name) {
      const { Sequelize } = await import('sequelize');
      const admin = new Sequelize(`mysql://root@127.0.0.1:${port}/`, { dialect: 'mysql', logging: false });
      await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await admin.close();
    },
    kill9,
    start,
    async destroy() {
      await kill9();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
