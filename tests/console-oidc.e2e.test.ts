/**
 * Console single sign-on in Chromium against a real OpenID Connect provider (node-oidc-provider on loopback):
 * sign-in with PKCE, state and nonce; the role from the group claim; a person with no agent row refused; a
 * tampered state or nonce refused; an expired session; sign-out here and at the provider; magic links off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Op } from 'sequelize';
import { need } from './support/availability.js';
import { chromiumAvailable, launchBrowser, saveScreenshot, type LaunchedBrowser } from './support/chromium.js';
import { freePort } from './support/dovecot.js';
import { startOidcProvider, type OidcProvider } from './support/oidc-provider.js';
import { startTestServer, type TestServer } from './support/server.js';

describe.runIf(need('Chromium', chromiumAvailable(), 'apt-get install -y chromium'))(
  'console sign-in with OIDC',
  () => {
    let idp: OidcProvider;
    let s: TestServer;
    let browser: LaunchedBrowser;
    const problems: string[] = [];
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );

    beforeAll(async () => {
      // The helpdesk's URL is needed by the provider (redirect URI) before either starts.
      const port = await freePort();
      const publicUrl = `http://127.0.0.1:${port}`;
      idp = await startOidcProvider({
        redirectUri: `${publicUrl}/console/oidc/callback`,
        postLogoutRedirectUri: `${publicUrl}/console/login?m=out`,
        people: {
          kavya: { email: 'kavya.iyer@corp.example', name: 'Kavya Iyer', groups: ['Everyone'] },
          helena: { email: 'helena.costa@corp.example', name: 'Helena Costa', groups: ['Everyone', 'IT-Admins'] },
          newhire: { email: 'sam.new@corp.example', name: 'Sam New', groups: ['IT-Support'] },
          stranger: { email: 'stranger@corp.example', name: 'Stranger', groups: ['Everyone'] },
          unverified: { email: 'priya.raman@corp.example', email_verified: false, groups: [] },
        },
      });
      s = await startTestServer(
        {
          PORT: String(port),
          PUBLIC_URL: publicUrl,
          OIDC_ISSUER: idp.issuer,
          OIDC_CLIENT_ID: idp.clientId,
          OIDC_CLIENT_SECRET: idp.clientSecret,
          OIDC_SCOPES: 'openid email profile groups',
          OIDC_ROLE_CLAIM: 'groups',
          OIDC_ROLES: 'admin:IT-Admins,manager:IT-Managers,agent:IT-Support',
          CONSOLE_LOGIN: 'oidc',
        },
        { jobs: false, log },
      );
      browser = await launchBrowser();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await s?.stop();
      await idp?.stop();
    });

    async function freshPage() {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      page.on('pageerror', (e) => problems.push(e.message));
      return page;
    }

    /** From the console's sign-in page through the provider's login form; resolves on the page we land on. */
    async function signIn(page: Page, login: string) {
      await page.goto(`${s.url}/console`);
      expect(new URL(page.url()).pathname).toBe('/console/login');
      await page.click('a#sso');
      await page.waitForURL(`${idp.issuer}/**`);
      await page.fill('input[name=login]', login);
      await page.fill('input[name=password]', 'anything');
      await Promise.all([page.waitForURL(`${s.url}/**`), page.click('button[type=submit]')]);
      await page.waitForLoadState();
    }

    const sessions = () =>
      s.hd.db.consoleModels.ConsoleSession.count({ where: { expiresAt: { [Op.gt]: new Date() } } });

    it('signs an agent in with the company account; roles and CSRF work as with a magic link', async () => {
      const page = await freshPage();
      await signIn(page, 'kavya');
      expect(new URL(page.url()).pathname).toBe('/console/queues/pool');
      expect(await page.textContent('.me')).toBe('Kavya Iyer (agent)');
      // An agent is not an admin: the group claim maps nothing for her, so the agents table decides.
      const admin = await page.goto(`${s.url}/console/admin/agents`);
      expect(admin!.status()).toBe(403);
      await saveScreenshot(page, 'console-oidc-signed-in');

      // Sign-out ends the local session and continues to the provider's end-session endpoint.
      await page.goto(`${s.url}/console/queues/pool`);
      const before = await sessions();
      // Sign out is a CSRF-checked POST: it only works with the session's token in the form.
      await page.click('nav button:has-text("Sign out")');
      await page.waitForURL(`${idp.issuer}/**`);
      expect(await sessions()).toBe(before - 1);
      await page.click('button[autofocus], button[type=submit]');
      await page.waitForURL(`${s.url}/console/login?m=out`);
      expect(idp.endSessions()).toBe(1);
      expect(await page.textContent('.flash')).toBe('You are signed out.');
      // The provider forgot her too: signing in again asks for the login.
      await page.click('a#sso');
      await page.waitForURL(`${idp.issuer}/**`);
      expect(await page.locator('input[name=login]').count()).toBe(1);
      await page.close();
    });

    it('takes the role from the group claim', async () => {
      const page = await freshPage();
      await signIn(page, 'helena');
      expect(await page.textContent('.me')).toBe('Helena Costa (admin)');
      expect((await page.goto(`${s.url}/console/admin/agents`))!.status()).toBe(200);
      const helena = await s.hd.db.models.Agent.findOne({ where: { email: 'helena.costa@corp.example' } });
      expect(helena!.role).toBe('admin');
      await page.close();

      // A mapped group admits someone without an agent row: the row is created with that role.
      const p2 = await freshPage();
      await signIn(p2, 'newhire');
      expect(await p2.textContent('.me')).toBe('Sam New (agent)');
      const sam = await s.hd.db.models.Agent.findOne({ where: { email: 'sam.new@corp.example' } });
      expect(sam).toMatchObject({ kind: 'human', role: 'agent', active: true, skills: [] });
      await p2.close();
    });

    it('refuses a person with no agent row and no mapped group, and an unverified email, with a clear page', async () => {
      for (const [login, text] of [
        ['stranger', 'There is no IT team account for this address'],
        ['unverified', 'has not verified this email address'],
      ] as const) {
        const page = await freshPage();
        const before = await sessions();
        await signIn(page, login);
        expect(await page.textContent('h1')).toBe('Sign-in refused');
        expect(await page.textContent('main')).toContain(text);
        expect(await sessions()).toBe(before);
        expect((await browser.context.cookies()).some((c) => c.name === 'hd_console')).toBe(false);
        await saveScreenshot(page, `console-oidc-refused-${login}`);
        await page.close();
      }
      expect(await s.hd.db.models.Agent.count({ where: { email: 'stranger@corp.example' } })).toBe(0);
    });

    /**
     * Rewrites one parameter of the authorization request this browser is sent to (the 302 from
     * /console/oidc/login), as an attacker in the middle or a forged link would. The provider then sends the
     * forged value back: a state that is not this browser's, or an ID token with another nonce.
     */
    async function tamperAuthorizationRequest(page: Page, param: 'state' | 'nonce', value: string) {
      await page.route(`${s.url}/console/oidc/login`, async (route) => {
        const res = await route.fetch({ maxRedirects: 0 });
        const location = new URL(res.headers().location!);
        expect(location.searchParams.get(param)).toBeTruthy();
        location.searchParams.set(param, value);
        await route.fulfill({ response: res, headers: { ...res.headers(), location: location.toString() } });
      });
    }

    for (const param of ['state', 'nonce'] as const) {
      it(`refuses a tampered ${param}`, async () => {
        const page = await freshPage();
        await tamperAuthorizationRequest(page, param, `forged-${param}-0123456789abcdef`);
        const before = await sessions();
        await signIn(page, 'kavya');
        expect(new URL(page.url()).pathname).toBe('/console/oidc/callback');
        expect(await page.textContent('h1')).toBe('Sign-in refused');
        expect(await page.textContent('main')).toContain('could not be verified');
        expect(await sessions()).toBe(before);
        // Refused for the right reason: openid-client names the parameter that did not match.
        const failure = lines.filter((l) => l.includes('oidc sign-in failed verification')).at(-1)!;
        expect(JSON.parse(failure).reason).toContain(`"${param}"`);
        await page.close();
      });
    }

    it('sends an expired session back to sign-in', async () => {
      const page = await freshPage();
      await signIn(page, 'kavya');
      expect(new URL(page.url()).pathname).toBe('/console/queues/pool');
      const kavya = await s.hd.db.models.Agent.findOne({ where: { email: 'kavya.iyer@corp.example' } });
      await s.hd.db.consoleModels.ConsoleSession.update(
        { expiresAt: new Date(Date.now() - 1000) },
        { where: { agentId: kavya!.id } },
      );
      await page.goto(`${s.url}/console/queues/pool`);
      expect(new URL(page.url()).pathname).toBe('/console/login');
      await page.close();
    });

    it('with CONSOLE_LOGIN=oidc, offers no email form and no link signs anyone in', async () => {
      const form = await fetch(`${s.url}/console/login`);
      const body = await form.text();
      expect(body).toContain('Sign in with your company account');
      expect(body).not.toContain('name="email"');
      const post = await fetch(`${s.url}/console/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=kavya.iyer%40corp.example',
      });
      expect(post.status).toBe(410);
      expect(await s.hd.db.models.OutboxMail.count({ where: { kind: 'magic_link' } })).toBe(0);
      // A link from before the switch is dead too.
      expect((await fetch(`${s.url}/console/login/some-old-token`)).status).toBe(410);
      // A callback without this browser's sign-in cookie (started elsewhere, or expired) is refused.
      const cb = await fetch(`${s.url}/console/oidc/callback?code=x&state=y`);
      expect(cb.status).toBe(400);
      expect(await cb.text()).toContain('expired or was started in another browser');
      expect(problems).toEqual([]);
    });
  },
);
