/**
 * Sign-in by magic link. POST /console/login queues a `magic_link` email when the address belongs to an active
 * IT team member, and always answers with the same page, in the same time (the lookup runs after the answer), so
 * neither the form nor its timing reveals who has an account.
 *
 * Mail security scanners fetch every link in a message (some within seconds, some in headless browsers that run
 * script), so GET /console/login/<token> only shows a button; the POST behind it consumes the token. The token
 * is single use (an atomic UPDATE … WHERE used_at IS NULL) and lives 15 minutes.
 *
 * With OpenID Connect configured the page also offers "Sign in with your company account" (oidc.ts);
 * CONSOLE_LOGIN=oidc turns magic links off entirely: no form, and no link (even an old one) signs anyone in.
 */
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { Op, type Sequelize } from 'sequelize';
import type { Agents } from '../agents/agents.js';
import type { Logger } from '../log.js';
import type { MailIds } from '../mail/outbound/ids.js';
import type { Outbox } from '../mail/outbound/outbox.js';
import { magicLink } from '../mail/outbound/templates/emails.js';
import { hashToken, newToken, sameSecret, type ConsoleAuth } from './auth.js';
import type { ConsoleModels } from './models.js';
import { html, raw } from '../http/html.js';
import { csrfField, page } from './html.js';
import { transaction } from '../db/tx.js';

export interface LoginDeps {
  auth: ConsoleAuth;
  agents: Agents;
  consoleModels: ConsoleModels;
  sequelize: Sequelize;
  outbox: Outbox;
  ids: MailIds;
  clock: () => Date;
  publicUrl: string;
  log: Logger;
  /** CONSOLE_LOGIN: 'link' (magic links only), 'oidc' (single sign-on only) or 'both'. */
  methods?: LoginMethods;
}

export type LoginMethods = 'link' | 'oidc' | 'both';

export const LOGIN_TTL_MS = 15 * 60_000;
/** More requests than this per agent in one TTL window send nothing more (someone is hammering the form). */
const MAX_LINKS_PER_WINDOW = 5;
/** Sign-in requests waiting for their lookup; beyond this a flood is dropped. */
const MAX_QUEUED = 200;
// Before a session exists the forms use a double-submit cookie, so another site cannot sign a browser in
// with the attacker's own link (login CSRF).
const PRE_COOKIE = 'hd_login_csrf';

const firstName = (name: string) => name.trim().split(/\s+/)[0] || 'there';

/** The /console/login routes (mounted inside consoleRoutes). */
export function loginRoutes(d: LoginDeps) {
  const app = new Hono();
  const { LoginToken } = d.consoleModels;

  function preToken(c: Context) {
    let t = getCookie(c, PRE_COOKIE);
    if (!t || t.length < 20) {
      t = newToken();
      setCookie(c, PRE_COOKIE, t, {
        path: '/console/login',
        httpOnly: true,
        sameSite: 'Lax',
        secure: d.auth.secure,
        maxAge: 3600,
      });
    }
    return t;
  }
  async function preOk(c: Context) {
    const form = await c.req.parseBody();
    return sameSecret(String(form._csrf ?? ''), getCookie(c, PRE_COOKIE) ?? '\0');
  }
  const stale = (c: Context) =>
    page(
      c,
      html`<h1>Please try again</h1><p>The form expired or did not come from this site.</p><p><a href="/console/login">Back to sign-in</a></p>`,
      { title: 'Sign in', status: 403 },
    );

  const methods = d.methods ?? 'link';
  const linksOn = methods !== 'oidc';
  const sso = methods !== 'link';

  app.get('/', async (c) => {
    if (await d.auth.sessionAgent(c)) return c.redirect('/console', 303);
    const out = c.req.query('m') === 'out' ? { kind: 'ok' as const, text: 'You are signed out.' } : null;
    // A link, not a form: the console's CSP (form-action 'self') would block a form that redirects elsewhere.
    const ssoButton = sso
      ? html`<p><a class="button" id="sso" href="/console/oidc/login"${linksOn ? '' : raw(' autofocus')}>Sign in with your company account</a></p>`
      : '';
    const linkForm = linksOn
      ? html`${sso ? html`<p>Or get a sign-in link by email.</p>` : html`<p>We will email you a sign-in link.</p>`}
      <form method="post" action="/console/login">${csrfField(preToken(c))}
      <label>Work email <input type="email" name="email" required autocomplete="email"${sso ? '' : raw(' autofocus')}></label>
      <button type="submit">Email me a link</button></form>`
      : '';
    return page(c, html`<h1>Sign in</h1>${ssoButton}${linkForm}`, { title: 'Sign in', flash: out });
  });

  // CONSOLE_LOGIN=oidc: nothing below signs anyone in; an old link gets a page that says why.
  app.use('*', async (c, next) => {
    if (linksOn) return next();
    return page(
      c,
      html`<h1>Sign-in links are turned off</h1><p>This console signs in with your company account.</p>
      <p><a href="/console/login">Sign in</a></p>`,
      { title: 'Sign in', status: 410 },
    );
  });

  /** Looks the address up and, for an active IT team member under the per-agent cap, queues a sign-in mail. */
  async function sendLink(email: string) {
    const agent = await d.agents.activePerson(email);
    if (!agent) return;
    const now = d.clock();
    const recent = await LoginToken.count({
      where: { agentId: agent.id, createdAt: { [Op.gt]: new Date(now.getTime() - LOGIN_TTL_MS) } },
    });
    if (recent >= MAX_LINKS_PER_WINDOW) {
      d.log.warn({ agentId: agent.id }, 'console sign-in link not sent: too many requests');
      return;
    }
    const token = newToken();
    const loginUrl = `${d.publicUrl}/console/login/${token}`;
    const { html: body, text } = magicLink({ firstName: firstName(agent.name), loginUrl });
    // Token row and mail commit together: no link is mailed for a token that was not stored.
    await transaction(d.sequelize, async (t) => {
      await LoginToken.create(
        { tokenHash: hashToken(token), agentId: agent.id, expiresAt: new Date(now.getTime() + LOGIN_TTL_MS) },
        { transaction: t },
      );
      await d.outbox.enqueue(
        {
          ticketId: null,
          kind: 'magic_link',
          to: agent.email,
          subject: 'Your sign-in link for the IT Helpdesk console',
          text,
          html: body,
          messageId: d.ids.messageId(null),
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
          automatic: false,
        },
        t,
      );
    });
    d.log.info({ agentId: agent.id }, 'console sign-in link queued');
  }

  // The answer must take the same time whether or not the address is an agent's: the lookup and the mail happen
  // after it, one request at a time, so its timing says nothing (a bounded queue: a flood is dropped, not stored).
  let pending = 0;
  let tail: Promise<void> = Promise.resolve();
  function later(email: string) {
    if (pending >= MAX_QUEUED) return void d.log.warn({ pending }, 'console sign-in requests dropped: queue full');
    pending++;
    tail = tail
      // After this request's answer has gone out, so the lookup never shares its time.
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => sendLink(email))
      .catch((err) => d.log.error({ err }, 'console sign-in link failed'))
      .finally(() => {
        pending--;
      });
  }

  app.post('/', async (c) => {
    if (!(await preOk(c))) return stale(c);
    const email = String((await c.req.parseBody()).email ?? '')
      .trim()
      .toLowerCase()
      .slice(0, 320);
    if (email) later(email);
    return page(
      c,
      html`<h1>Check your inbox</h1><p>If that address belongs to an IT team member, a sign-in link is on its way.
      It works once and expires in 15 minutes.</p><p><a href="/console/login">Use another address</a></p>`,
      { title: 'Check your inbox' },
    );
  });

  const usable = async (token: string) =>
    LoginToken.findOne({ where: { tokenHash: hashToken(token), usedAt: null, expiresAt: { [Op.gt]: d.clock() } } });
  const invalid = (c: Context) =>
    page(
      c,
      html`<h1>This sign-in link is no longer valid</h1><p>Links work once and expire after 15 minutes.</p>
      <p><a href="/console/login">Request a new link</a></p>`,
      { title: 'Link not valid', status: 410 },
    );

  // A GET never consumes the token: it only offers the button (scanners pre-fetch links).
  app.get('/:token', async (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    if (!(await usable(c.req.param('token')))) return invalid(c);
    return page(
      c,
      html`<h1>Sign in to the console</h1><form method="post">${csrfField(preToken(c))}
      <button type="submit" autofocus>Sign in</button></form>`,
      { title: 'Sign in' },
    );
  });

  app.post('/:token', async (c) => {
    if (!(await preOk(c))) return stale(c);
    const row = await usable(c.req.param('token'));
    if (!row) return invalid(c);
    // Whoever flips used_at first wins; a second click or a racing request gets the "no longer valid" page.
    const [n] = await LoginToken.update({ usedAt: d.clock() }, { where: { id: row.id, usedAt: null } });
    if (n !== 1) return invalid(c);
    await d.auth.startSession(c, row.agentId);
    d.log.info({ agentId: row.agentId }, 'console sign-in');
    return c.redirect('/console', 303);
  });

  return app;
}
