/** createApp(deps): the Hono application, with every room's routes mounted; no I/O of its own. */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { errorBody } from '../errors.js';
import type { Logger } from '../log.js';
import { type BodyLimits, bodyLimits } from './body-limits.js';
import { errorHandler } from './errors.js';

/** For HTML that sets no policy of its own: no script, no plugin, no framing, forms only to this site. */
export const DEFAULT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface Mount {
  path: string;
  app: Hono;
}

export interface AppDeps {
  log: Logger;
  /** Sub-applications mounted in order, e.g. { path: '/api/tickets', app: ticketRoutes(...) }. */
  mounts: Mount[];
  health: () => Promise<{ ok: boolean; [k: string]: unknown }>;
  /** Readiness for an orchestrator (/readyz): the database answers and every migration is applied. */
  ready?: () => Promise<{ ok: boolean; [k: string]: unknown }>;
  /** Request body limits by kind of route (forms, JSON APIs, the raw-MIME webhook); defaults in body-limits.ts. */
  bodyLimits?: Partial<BodyLimits>;
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.onError(errorHandler(deps.log));
  app.use(
    '*',
    secureHeaders({
      crossOriginResourcePolicy: false,
      crossOriginEmbedderPolicy: false,
      contentSecurityPolicy: undefined,
    }),
  );
  // Every page gets a CSP: routes set their own (console, requester pages, analytics, KB, the demo page); any other
  // HTML (error and 404 pages, pages added later) gets the strictest one, which runs no script at all.
  app.use('*', async (c, next) => {
    await next();
    if (/text\/html/.test(c.res.headers.get('content-type') ?? '') && !c.res.headers.has('content-security-policy'))
      c.res.headers.set('Content-Security-Policy', DEFAULT_CSP);
  });
  // Before every route and every parser: no handler ever sees more than its kind's limit.
  app.use('*', bodyLimits(deps.bodyLimits));

  app.get('/healthz', async (c) => {
    const h = await deps.health();
    return c.json(h, h.ok ? 200 : 503);
  });
  // Liveness: the process runs and its event loop answers; nothing else, so a database outage never restarts it.
  app.get('/livez', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const r = deps.ready ? await deps.ready() : await deps.health();
    c.header('Cache-Control', 'no-store');
    return c.json(r, r.ok ? 200 : 503);
  });
  for (const m of deps.mounts) app.route(m.path, m.app);

  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}.`), 404));
  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json(errorBody('not_found'), 404)
      : c.html('<!doctype html><title>Not found</title><h1>Not found</h1>', 404),
  );
  return app;
}
