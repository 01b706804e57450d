/**
 * The widget's server side: /widget.js (built by esbuild), the demo intranet page at /, the lists and
 * settings the widget reads, and the guards in front of the public API (CORS allow-list, rate limits).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { addressKey, domainAllowed } from '../domain/address.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { hasAdminToken } from '../http/auth.js';
import type { RateLimits } from '../http/rate-limits.js';
import { WIDGET_FILE } from '../http/dist.js';

// The demo intranet page: static, read once (no user data in it).
const DEMO_PAGE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo.html'), 'utf8');

/** The demo page runs only the widget script from this origin, which talks only to this origin's API. */
const DEMO_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** What the widget's routes read of the configuration. */
export interface WidgetConfig {
  publicUrl: string;
  widget: { origins: string[]; rateLimit: number; closeDelaySeconds: number };
  /** Domains whose addresses may open tickets here; ['*'] for any. */
  requesterDomains: string[];
}

export interface WidgetDeps {
  config: WidgetConfig;
  log: Logger;
  /** Integrations holding the admin token are not rate limited. */
  adminToken?: string;
  /** The development centres people pick from (seeds/agents.json, read once at start). */
  devCenters: readonly string[];
}

/** Routes at the root: /widget.js, the demo page /, GET /api/dev-centers and GET /api/widget/config. */
export function widgetRoutes(d: WidgetDeps) {
  const app = new Hono();
  let script: { body: string; etag: string; mtime: number } | null = null;
  const load = () => {
    // Re-read when the file changes (npm run build:widget while the server runs).
    const mtime = statSync(WIDGET_FILE).mtimeMs;
    if (!script || script.mtime !== mtime) {
      const body = readFileSync(WIDGET_FILE, 'utf8');
      script = { body, mtime, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    return script;
  };

  app.get('/widget.js', (c) => {
    const s = load();
    c.header('ETag', s.etag);
    // The URL is not versioned: cache briefly and revalidate with the ETag (a 304 costs a few bytes).
    c.header('Cache-Control', 'public, max-age=300, must-revalidate');
    // A module script from another origin is fetched in CORS mode; it holds no secret, so any page may load it.
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (c.req.header('if-none-match') === s.etag) return c.body(null, 304);
    return c.body(s.body, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });

  app.get('/', (c) => {
    c.header('Cache-Control', 'no-cache');
    c.header('Content-Security-Policy', DEMO_CSP);
    return c.html(DEMO_PAGE);
  });

  app.get('/api/dev-centers', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({ devCenters: d.devCenters });
  });

  app.get('/api/widget/config', (c) =>
    c.json({ closeDelaySeconds: d.config.widget.closeDelaySeconds, pollSeconds: 5, devCenters: d.devCenters }),
  );
  return app;
}

/** Origins allowed to call the API from a browser: WIDGET_ORIGINS plus the helpdesk's own origin. */
export function allowedOrigins(config: WidgetConfig): Set<string> {
  const own = new URL(config.publicUrl).origin;
  return new Set([
    own,
    ...config.widget.origins.map((o) => {
      try {
        return new URL(o).origin;
      } catch {
        return o;
      }
    }),
  ]);
}

/** The email in a ticket body, read from the cached body (ticketRoutes reads the same text again). */
async function bodyEmail(c: Context): Promise<string | null> {
  try {
    const b = JSON.parse(await c.req.text());
    return typeof b?.email === 'string' && b.email.includes('@') ? b.email.trim() : null;
  } catch {
    return null;
  }
}

export interface WidgetGuardDeps extends WidgetDeps {
  /** Database-backed limits and the client-address rule (TRUSTED_PROXIES). */
  limits: RateLimits;
}

/**
 * Middleware app to mount at '/api' before the ticket routes: CORS on all of /api; on POST /api/tickets from the
 * widget (no admin token) the requester-domain check, then the limits per network address and per address.
 */
export function widgetGuards(d: WidgetGuardDeps) {
  const app = new Hono();
  const origins = allowedOrigins(d.config);
  app.use(
    '*',
    cors({
      origin: (origin) => (origins.has(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      // Idempotency-Key: one per widget submission, so a retried POST /api/tickets makes no second ticket.
      allowHeaders: ['Content-Type', 'Authorization', 'If-None-Match', 'Idempotency-Key'],
      exposeHeaders: ['ETag', 'Retry-After', 'RateLimit-Remaining'],
      maxAge: 600,
    }),
  );
  const fromWidget = (c: Context) =>
    c.req.method === 'POST' && !hasAdminToken(c.req.header('authorization'), d.adminToken);
  const domains = d.config.requesterDomains;

  // Before the limits: a refused address should not use up anyone's quota.
  app.use('/tickets', async (c, next) => {
    if (!fromWidget(c)) return next();
    const email = await bodyEmail(c);
    // No address (or broken JSON): the ticket route answers with its own validation error.
    if (email && !domainAllowed(email, domains)) {
      const list = domains.map((x) => `@${x.replace(/^\*?\./, '')}`).join(', ');
      throw new AppError('email_domain_not_allowed', undefined, {
        fields: { email: `Please use your work email address (${list}).` },
      });
    }
    return next();
  });

  const limit = d.config.widget.rateLimit;
  const message = (what: string) =>
    `Too many new tickets from this ${what} in the last hour (limit ${limit}). Please wait a little, or email the IT inbox.`;
  const logged = (what: string) => (c: Context) =>
    d.log.warn({ ip: d.limits.clientIp.key(c), what }, 'ticket creation rate limited');
  app.use(
    '/tickets',
    d.limits.limit({
      name: 'widget-ip',
      limit,
      windowMs: 3_600_000,
      headers: true,
      key: (c) => (fromWidget(c) ? d.limits.clientIp.key(c) : null),
      message: message('network address'),
      onLimited: logged('network address'),
    }),
  );
  app.use(
    '/tickets',
    d.limits.limit({
      name: 'widget-email',
      limit,
      windowMs: 3_600_000,
      // victim+1@… and Victim@… are one mailbox, so one counter.
      key: async (c) => {
        const email = fromWidget(c) ? await bodyEmail(c) : null;
        return email ? addressKey(email) : null;
      },
      message: message('email address'),
      onLimited: logged('email address'),
    }),
  );
  return app;
}
