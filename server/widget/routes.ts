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
import { getConnInfo } from '@hono/node-server/conninfo';
import { rateLimiter } from 'hono-rate-limiter';
import type { Logger } from '../log.js';
import { errorBody } from '../errors.js';
import { hasAdminToken } from '../http/auth.js';
import { WIDGET_FILE } from '../http/dist.js';

// The demo intranet page: static, read once (no user data in it).
const DEMO_PAGE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo.html'), 'utf8');

/** What the widget's routes read of the configuration. */
export interface WidgetConfig {
  publicUrl: string;
  widget: { origins: string[]; rateLimit: number; closeDelaySeconds: number };
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

const clientIp = (c: Context) => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // app.request() in unit tests has no socket
  }
};

/** The email in a ticket body, read from the cached body (ticketRoutes reads the same text again). */
async function bodyEmail(c: Context): Promise<string | null> {
  try {
    const b = JSON.parse(await c.req.text());
    return typeof b?.email === 'string' && b.email.includes('@') ? b.email.trim().toLowerCase() : null;
  } catch {
    return null;
  }
}

/** Middleware app to mount at '/api' before the ticket routes: CORS on all of /api, rate limits on POST /api/tickets. */
export function widgetGuards(d: WidgetDeps) {
  const app = new Hono();
  const origins = allowedOrigins(d.config);
  app.use(
    '*',
    cors({
      origin: (origin) => (origins.has(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization', 'If-None-Match'],
      exposeHeaders: ['ETag', 'Retry-After', 'RateLimit-Remaining'],
      maxAge: 600,
    }),
  );

  const limit = d.config.widget.rateLimit;
  if (limit > 0) {
    const over = (what: string) => (c: Context) => {
      d.log.warn({ ip: clientIp(c), what }, 'ticket creation rate limited');
      return c.json(
        errorBody(
          'rate_limited',
          `Too many new tickets from this ${what} in the last hour (limit ${limit}). Please wait a little, or email the IT inbox.`,
        ),
        429,
      );
    };
    const onlyPost = (c: Context) =>
      c.req.method !== 'POST' || hasAdminToken(c.req.header('authorization'), d.adminToken);
    // Each rate limiter holds its own in-memory window (one process; a shared store would be needed behind a load balancer).
    app.use(
      '/tickets',
      rateLimiter({
        windowMs: 3_600_000,
        limit,
        standardHeaders: 'draft-6',
        skip: onlyPost,
        keyGenerator: (c) => `ip:${clientIp(c)}`,
        handler: over('network address'),
      }),
    );
    app.use(
      '/tickets',
      rateLimiter({
        windowMs: 3_600_000,
        limit,
        standardHeaders: false,
        skip: async (c) => onlyPost(c) || !(await bodyEmail(c)),
        keyGenerator: async (c) => `email:${await bodyEmail(c)}`,
        handler: over('email address'),
      }),
    );
  }
  return app;
}
