/**
 * Console sessions and CSRF. The session cookie holds a random token; the database keeps only its SHA-256, the
 * agent and a per-session CSRF secret (synchronizer token pattern: every form carries it, every unsafe request
 * must echo it in `_csrf` or the `X-CSRF-Token` header).
 *
 * API for other rooms (stable; the analytics page relies on it):
 *   const auth = createConsoleAuth({ agents, consoleModels, clock, publicUrl });
 *   app.use('/x/*', auth.requireSession(['manager', 'admin']));   // 401 (or a redirect to the login page), 403 on role or CSRF
 *   const agent = await auth.sessionAgent(c);                     // the signed-in Agent or null; works with or without the middleware
 *   analyticsRoutes({ …, authorize: auth.authorize(['manager', 'admin']) });
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { Op } from 'sequelize';
import type { AgentInfo, Agents, Role } from '../agents/agents.js';
import { errorBody } from '../errors.js';
import type { ConsoleModels, ConsoleSession } from './models.js';
import { html } from '../http/html.js';
import { page } from './html.js';

export type { Role };
/** Who is signed in, and the CSRF token their forms must carry. */
export interface ConsoleIdentity {
  agent: AgentInfo;
  session: ConsoleSession;
  csrf: string;
}

export interface ConsoleAuthDeps {
  agents: Agents;
  consoleModels: ConsoleModels;
  clock: () => Date;
  /** Secure cookies when this is https (behind a TLS-terminating proxy the app itself sees http). */
  publicUrl: string;
  sessionHours?: number;
}

export const SESSION_COOKIE = 'hd_console';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Hex SHA-256 of a token: what the database stores instead of the token. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** A fresh random token (256 bits, base64url). */
export const newToken = () => randomBytes(32).toString('base64url');

/** Constant-time string comparison (false on length mismatch). */
export function sameSecret(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const wantsHtml = (c: Context) => (c.req.header('accept') ?? '').includes('text/html');

/** Builds the session store and the middleware that guards console (and analytics) routes. */
export function createConsoleAuth(deps: ConsoleAuthDeps) {
  const { ConsoleSession } = deps.consoleModels;
  const secure = deps.publicUrl.startsWith('https:');
  const ttlMs = (deps.sessionHours ?? 12) * 3600_000;
  // One lookup per request, whoever asks first (middleware, page, or another room's authorize()).
  const seen = new WeakMap<Context, Promise<ConsoleIdentity | null>>();

  async function lookup(c: Context): Promise<ConsoleIdentity | null> {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) return null;
    const session = await ConsoleSession.findOne({
      where: { tokenHash: hashToken(token), expiresAt: { [Op.gt]: deps.clock() } },
    });
    if (!session) return null;
    const agent = await deps.agents.byId(session.agentId);
    // Deactivating an agent ends their sessions at once, without a sweep.
    if (!agent?.active || agent.kind !== 'human') return null;
    return { agent, session, csrf: session.csrfSecret };
  }

  function identify(c: Context) {
    let p = seen.get(c);
    if (!p) {
      p = lookup(c);
      seen.set(c, p);
    }
    return p;
  }

  async function deny(c: Context, status: 401 | 403, text: string) {
    if (!wantsHtml(c)) return c.json(errorBody(status === 401 ? 'unauthorized' : 'forbidden', text), status);
    const who = status === 403 ? await identify(c) : null;
    return page(
      c,
      html`<h1>${status === 401 ? 'Sign-in required' : 'Not allowed'}</h1><p>${text}</p><p><a href="/console/login">Sign in</a> · <a href="/console">Queues</a></p>`,
      { title: status === 401 ? 'Sign in' : 'Not allowed', status, agent: who?.agent, csrf: who?.csrf },
    );
  }

  return {
    identify,
    /** The signed-in agent for this request, or null (no cookie, expired, logged out, deactivated). */
    async sessionAgent(c: Context): Promise<AgentInfo | null> {
      return (await identify(c))?.agent ?? null;
    },
    /** For other rooms' access hooks: true when a session exists with one of `roles`. */
    authorize(roles: Role[]) {
      return async (c: Context) => {
        const id = await identify(c);
        return !!id && roles.includes(id.agent.role);
      };
    },
    /** For other rooms that count per session (analytics streams): a stable key when a session has one of `roles`. */
    sessionKey(roles: Role[]) {
      return async (c: Context): Promise<string | null> => {
        const id = await identify(c);
        return id && roles.includes(id.agent.role) ? `session:${id.session.id}` : null;
      };
    },
    /** Middleware: a valid session (any role, or one of `roles`) and, on unsafe methods, the session's CSRF token. */
    requireSession(roles?: Role[]): MiddlewareHandler {
      return async (c, next) => {
        const id = await identify(c);
        if (!id) {
          if (SAFE.has(c.req.method) && wantsHtml(c)) return c.redirect('/console/login', 303);
          return deny(c, 401, 'Please sign in to the console.');
        }
        if (roles && !roles.includes(id.agent.role)) return deny(c, 403, `This page is for: ${roles.join(', ')}.`);
        if (!SAFE.has(c.req.method)) {
          let given = c.req.header('x-csrf-token');
          if (!given && /form/.test(c.req.header('content-type') ?? ''))
            given = String((await c.req.parseBody())._csrf ?? '');
          if (!sameSecret(given, id.csrf))
            return deny(c, 403, 'The form was stale or did not come from the console. Go back, reload and try again.');
        }
        await next();
      };
    },
    /** Starts a session for an agent: a new row and the cookie (httpOnly, SameSite=Lax, Secure on https). */
    async startSession(c: Context, agentId: number) {
      const token = newToken();
      const now = deps.clock();
      await ConsoleSession.destroy({ where: { expiresAt: { [Op.lt]: now } } }); // expired rows go whenever someone signs in
      await ConsoleSession.create({
        tokenHash: hashToken(token),
        agentId,
        csrfSecret: newToken(),
        expiresAt: new Date(now.getTime() + ttlMs),
      });
      // Path '/' so the analytics page (outside /console) sees the session too.
      setCookie(c, SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        secure,
        maxAge: Math.floor(ttlMs / 1000),
      });
    },
    /** Ends this browser's session (row deleted, cookie cleared). */
    async endSession(c: Context) {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) await ConsoleSession.destroy({ where: { tokenHash: hashToken(token) } });
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure });
    },
    secure,
  };
}

export type ConsoleAuth = ReturnType<typeof createConsoleAuth>;

/** The identity requireSession() found; only call it behind that middleware. */
export async function identityOf(auth: ConsoleAuth, c: Context): Promise<ConsoleIdentity> {
  const id = await auth.identify(c);
  if (!id) throw new Error('identityOf() used on a route without requireSession()');
  return id;
}
