/** Self-test of the integration-test helpers, each against the real thing it wraps. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import nodemailer from 'nodemailer';
import OpenAI from 'openai';
import { need } from './availability.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './dovecot.js';
import { startSmtpServer, type SmtpSink } from './smtp.js';
import { chromiumAvailable, launchBrowser, runAxe, saveScreenshot, type LaunchedBrowser } from './chromium.js';
import { startOpenAIStub, type OpenAIStub } from './openai-stub.js';
import { ImapFlow } from 'imapflow';
import { startOAuthServer, type OAuthServer } from './oauth-server.js';

function rawMail(subject: string): string {
  return [
    'From: Alice <alice@example.test>',
    'To: helpdesk@example.test',
    `Subject: ${subject}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.test>`,
    'Date: Mon, 01 Jan 2024 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'My laptop does not boot.',
    '',
  ].join('\r\n');
}

describe.runIf(need('Dovecot', dovecotAvailable(), 'apt-get install -y dovecot-imapd'))('dovecot helper', () => {
  let imap: Dovecot;
  beforeAll(async () => {
    imap = await startDovecot();
  });
  afterAll(async () => {
    await imap?.stop();
  });

  it('exposes a URL-encoded imap:// url', () => {
    expect(imap.url).toBe(`imap://helpdesk%40example.test:secret@127.0.0.1:${imap.port}/INBOX`);
  });

  it('appends and lists mail, creating a folder on demand', async () => {
    await imap.append(rawMail('Printer jam'));
    await imap.append(Buffer.from(rawMail('Archived')), 'Processed');
    const inbox = await imap.list('INBOX');
    expect(inbox.map((m) => m.subject)).toEqual(['Printer jam']);
    expect(inbox[0]!.uid).toBeGreaterThan(0);
    expect(inbox[0]!.raw?.toString()).toContain('My laptop does not boot.');
    expect(await imap.mailboxes()).toEqual(expect.arrayContaining(['INBOX', 'Processed']));
  });

  it('keeps port and mail across restart()', async () => {
    const port = imap.port;
    await imap.restart();
    expect(imap.port).toBe(port);
    expect((await imap.list('INBOX')).map((m) => m.subject)).toEqual(['Printer jam']);
  });
});

describe('smtp sink', () => {
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp?.stop();
  });

  const send = (subject: string) =>
    nodemailer
      .createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true })
      .sendMail({ from: 'helpdesk@example.test', to: ['alice@example.test', 'bob@example.test'], subject, text: 'hi' });

  it('receives a message with its envelope', async () => {
    expect(smtp.url).toBe(`smtp://127.0.0.1:${smtp.port}`);
    await send('first');
    const [m] = await smtp.waitFor(1, 5_000);
    expect(m!.envelope).toEqual({ from: 'helpdesk@example.test', to: ['alice@example.test', 'bob@example.test'] });
    expect(m!.raw.toString()).toContain('Subject: first');
  });

  it('refuses while down and receives again after start()', async () => {
    await smtp.down();
    await expect(send('lost')).rejects.toThrow();
    await smtp.start();
    await send('second');
    await smtp.waitFor(2, 5_000);
    expect(smtp.messages.map((m) => m.raw.toString().match(/Subject: (\w+)/)?.[1])).toEqual(['first', 'second']);
  });

  it('waitFor rejects plainly on timeout', async () => {
    await expect(smtp.waitFor(99, 50)).rejects.toThrow(/expected 99 message/);
  });
});

describe.runIf(need('Chromium', chromiumAvailable(), 'apt-get install -y chromium'))('chromium helper', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads a page, takes a screenshot and runs axe', async () => {
    const page = await browser.context.newPage();
    const html =
      '<!doctype html><html lang="en"><head><title>Harness</title></head><body><main><h1>Hello</h1>' +
      '<p style="color:#eee;background:#fff">low contrast</p><img src="x.png"></main></body></html>';
    await page.goto('data:text/html,' + encodeURIComponent(html));
    expect(await page.textContent('h1')).toBe('Hello');
    const file = await saveScreenshot(page, 'harness-selftest');
    expect(existsSync(file)).toBe(true);
    // The page is broken on purpose: axe must report the serious/critical problems, not only run.
    const ids = (await runAxe(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['color-contrast', 'image-alt']));
    await page.close();
  });
});

describe('openai stub', () => {
  let stub: OpenAIStub;
  let client: OpenAI;
  beforeAll(async () => {
    stub = await startOpenAIStub();
    client = new OpenAI({ baseURL: stub.baseURL, apiKey: 'test', maxRetries: 0 });
  });
  afterAll(async () => {
    await stub?.stop();
  });

  const ask = (opts: { timeout?: number } = {}) =>
    client.chat.completions.create(
      {
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'classify' }],
        tools: [{ type: 'function', function: { name: 'classify', parameters: { type: 'object' } } }],
      },
      opts,
    );

  it('returns a tool call and records the request', async () => {
    stub.respondWith(() => ({ toolCall: { name: 'classify', arguments: '{"category":"hardware"}' } }));
    const res = await ask();
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    const call = res.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function).toEqual({
      name: 'classify',
      arguments: '{"category":"hardware"}',
    });
    expect(stub.requests.at(-1).model).toBe('gpt-test');
  });

  it('returns plain content', async () => {
    stub.respondWith(() => ({ content: 'hello' }));
    expect((await ask()).choices[0]!.message.content).toBe('hello');
  });

  it('surfaces 429 and 500 as SDK errors', async () => {
    stub.respondWith(() => ({
      status: 429,
      error: { message: 'slow down', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
    }));
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(ask()).rejects.toThrow(/slow down/);
    stub.respondWith(() => ({ status: 500 }));
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('delays a reply so client timeouts can be tested', async () => {
    stub.respondWith(() => ({ delayMs: 2_000, then: { content: 'late' } }));
    await expect(ask({ timeout: 100 })).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('stop() ends even with a delayed reply in flight', async () => {
    const other = await startOpenAIStub();
    other.respondWith(() => ({ delayMs: 60_000, then: { content: 'never' } }));
    const c = new OpenAI({ baseURL: other.baseURL, apiKey: 'test', maxRetries: 0 });
    const pending = c.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    pending.catch(() => {});
    while (other.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    await other.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });
});

describe.runIf(need('Dovecot', dovecotAvailable(), 'apt-get install -y dovecot-imapd'))('OAuth2 helpers', () => {
  let o: OAuthServer;
  let imap: Dovecot;
  let smtp: SmtpSink;
  beforeAll(async () => {
    o = await startOAuthServer();
    imap = await startDovecot({ oauth2: { introspectionUrl: o.introspectionUrl } });
    smtp = await startSmtpServer({ xoauth2: (user, token) => user === o.username && o.active(token) });
  });
  afterAll(async () => {
    await smtp?.stop();
    await imap?.stop();
    await o?.stop();
  });
  /** A client-credentials token, asked for with HTTP Basic client authentication. */
  async function grant(): Promise<string> {
    const r = await fetch(o.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    return ((await r.json()) as { access_token: string }).access_token;
  }
  const imapLogin = (accessToken: string) =>
    new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: false,
      auth: { user: imap.user, accessToken },
      logger: false,
    });

  it('Dovecot lets the user in with an active token only; kick() ends the session', async () => {
    const c = imapLogin(await grant());
    await c.connect();
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    await imap.kick();
    await closed;
    const bad = imapLogin('not-a-token');
    await expect(bad.connect()).rejects.toMatchObject({ authenticationFailed: true });
    bad.close();
    // The helper itself still reads the mailbox (as the master user).
    await imap.append(rawMail('via master'));
    expect((await imap.list('INBOX')).map((m) => m.subject)).toContain('via master');
    expect(imap.url).not.toContain(imap.password);
  });

  it('smtp-server in XOAUTH2 mode takes an active token and refuses others', async () => {
    const send = (accessToken: string) =>
      nodemailer
        .createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: false,
          ignoreTLS: true,
          auth: { type: 'OAuth2', user: o.username, accessToken },
        })
        .sendMail({ from: o.username, to: 'x@example.test', subject: 's', text: 't' });
    await send(await grant());
    await expect(send('not-a-token')).rejects.toMatchObject({ code: 'EAUTH' });
    // nodemailer tries a refused token twice (it has no way to renew this one): every try is refused.
    expect(smtp.auths[0]!.ok).toBe(true);
    expect(smtp.auths.length).toBeGreaterThan(1); // (every() of nothing is true)
    expect(smtp.auths.slice(1).every((a) => !a.ok && a.token === 'not-a-token')).toBe(true);
    expect(smtp.messages).toHaveLength(1);
  });
});
