/** createApp(deps): the Hono application, with every room's routes mounted; no I/O of its own. */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { AppError, errorBody } from '../errors.js';
import type { Logger } from '../log.js';
import { errorHandler } from './errors.js';

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
  /** Request body limit for JSON APIs (raw-MIME intake sets its own). */
  jsonBodyLimit?: number;
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
  app.use('/api/*', async (c, next) => {
    if (c.req.path.startsWith('/api/inbound/')) return next();
    return bodyLimit({
      maxSize: deps.jsonBodyLimit ?? 256 * 1024,
      onError: () => {
        throw new AppError('payload_too_large');
      },
    })(c, next);
  });

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
