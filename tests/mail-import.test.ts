/** The offline mail source: .eml files through the same intake (and the mail:import command). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createFileSource } from '../server/mail/inbound/file-source.js';
import { startTestServer, type TestServer } from './support/server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hd-eml-'));
const eml = (i: number) =>
  `From: P${i} <p${i}@corp.example>\r\nTo: it@helpdesk.localhost\r\nSubject: dock ${i}\r\nMessage-ID: <imp${i}@corp.example>\r\n\r\nMy dock ${i} does not charge the laptop.\r\n`;

describe('mail import from .eml files', () => {
  let s: TestServer;
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, `${i}.eml`), eml(i));
    writeFileSync(path.join(dir, 'dup.eml'), eml(0));
    writeFileSync(path.join(dir, 'notes.txt'), 'not mail');
    s = await startTestServer({}, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('reads a folder in name order, once per message', async () => {
    const results: { file: string; status: string }[] = [];
    const src = createFileSource([dir], {
      intake: s.hd.intake,
      onResult: (file, r) => results.push({ file: path.basename(file), status: 'status' in r ? r.status : 'error' }),
    });
    src.start();
    await src.done;
    expect(results).toEqual([
      { file: '0.eml', status: 'created' },
      { file: '1.eml', status: 'created' },
      { file: '2.eml', status: 'created' },
      { file: 'dup.eml', status: 'duplicate' },
    ]);
    expect(src.status().state).toBe('done');
  });

  it('is usable from the command line against DATABASE_URL', () => {
    const out = execFileSync('npx', ['tsx', 'server/mail/inbound/cli-import.ts', path.join(dir, '1.eml')], {
      env: {
        ...process.env,
        DATABASE_URL: `sqlite:${path.join(dir, 'cli.sqlite')}`,
        DATA_DIR: dir,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({
      status: 'created',
      ref: expect.stringMatching(/^IT-/),
    });
  }, 120_000);
});
