/**
 * Analytics routes, mounted at '/': the page, its script, the summary JSON, the CSV export, the SSE stream and the
 * read-only links. Who may see them: the admin bearer token (scripts), a console session with the manager or admin
 * role (main.ts plugs in `session`), or a read-only link (`?token=`, a row in analytics_links that an admin can
 * revoke). A link opens the page, the summary and the stream, never the per-ticket CSV.
 */
import { readFile } from 'node:fs/promises';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { stream } from 'hono/streaming';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { hasAdminToken } from '../http/auth.js';
import { ANALYTICS_FILE } from '../http/dist.js';
import { requireId } from '../http/ids.js';
import { exportCsv } from './csv.js';
import type { AnalyticsEvents } from './events.js';
import { filterQuery, parseFilter } from './filter.js';
import { ANALYTICS_CSP, analyticsPage, unauthorizedPage } from './html.js';
import type { AnalyticsLinks } from './links.js';
import type { AnalyticsQueries } from './queries.js';
import { createStreamHub, createSummaryCache } from './stream.js';

export interface AnalyticsRoutesDeps {
  queries: AnalyticsQueries;
  events: AnalyticsEvents;
  links: AnalyticsLinks;
  adminToken: string;
  clock: () => Date;
  log: Logger;
  /** A console session allowed to see analytics (manager or admin): a stable key for it, else null. */
  session?: (c: Context) => Promise<string | null>;
  /** Base URL for links handed out by POST /api/analytics/links. */
  publicUrl?: string;
  scriptFile?: string;
  debounceMs?: number;
  refreshMs?: number;
  /** Live streams one session, link or the admin token may hold at once (default 3). */
  maxStreamsPerClient?: number;
}

/** Who is asking: the cap on streams counts per key. */
interface Access {
  kind: 'admin' | 'session' | 'link';
  key: string;
  linkId?: number;
}

/** The analytics sub-application. */
export function analyticsRoutes(deps: AnalyticsRoutesDeps) {
  const app = new Hono();
  const cache = createSummaryCache(deps.queries, deps.events);
  const hub = createStreamHub({
    events: deps.events,
    cache,
    log: deps.log,
    debounceMs: deps.debounceMs,
    refreshMs: deps.refreshMs,
    maxPerClient: deps.maxStreamsPerClient,
    activeLinks: (ids) => deps.links.active(ids),
  });
  deps.links.onRevoke((id) => hub.closeLink(id));
  const scriptFile = deps.scriptFile ?? ANALYTICS_FILE;
  const seen = new WeakMap<Context, Promise<Access | null>>();

  async function lookup(c: Context): Promise<Access | null> {
    if (hasAdminToken(c.req.header('authorization'), deps.adminToken)) return { kind: 'admin', key: 'admin' };
    const token = c.req.query('token');
    if (token) {
      const id = await deps.links.verify(token);
      if (id) return { kind: 'link', key: `link:${id}`, linkId: id };
      // A wrong, expired or revoked link falls through to the session check, then 401.
    }
    const session = deps.session ? await deps.session(c).catch(() => null) : null;
    return session ? { kind: 'session', key: session } : null;
  }
  const access = (c: Context) => {
    let p = seen.get(c);
    if (!p) {
      p = lookup(c);
      seen.set(c, p);
    }
    return p;
  };
  const guard: MiddlewareHandler = async (c, next) => {
    if (!(await access(c)))
      throw new AppError('unauthorized', 'A manager session, the admin token or a valid analytics link is required.');
    c.header('Cache-Control', 'no-store');
    await next();
  };
  const onlyAdminToken = (c: Context) => {
    if (!hasAdminToken(c.req.header('authorization'), deps.adminToken))
      throw new AppError('forbidden', 'Only the admin token manages analytics links (admins also can in the console).');
  };
  const filterOf = (c: Context) => parseFilter(c.req.query(), deps.clock());

  app.get('/analytics', async (c) => {
    c.header('Content-Security-Policy', ANALYTICS_CSP);
    if (!(await access(c))) return c.html(unauthorizedPage(), 401);
    c.header('Cache-Control', 'no-store');
    // A link must not leak to other sites through the Referer header.
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(analyticsPage('/analytics/app.js'));
  });

  // The script is code only (no data), so it needs no token; it is rebuilt at start, hence no long caching.
  app.get('/analytics/app.js', async (c) => {
    const js = await readFile(scriptFile, 'utf8').catch(() => null);
    if (js == null) throw new AppError('not_found', 'The analytics script is not built (npm run build).');
    return c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
  });

  app.use('/api/analytics/*', guard);

  app.get('/api/analytics/summary', async (c) => c.json(await cache.get(filterOf(c))));

  app.get('/api/analytics/export.csv', async (c) => {
    // One row per ticket is more than a read-only link was handed out for.
    if ((await access(c))?.kind === 'link')
      throw new AppError('forbidden', 'A read-only link does not open the ticket export; sign in to the console.');
    const f = filterOf(c);
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="tickets-${f.from}-${f.to}.csv"`);
    return stream(
      c,
      async (s) => {
        for await (const chunk of exportCsv(deps.queries.sequelize, f)) {
          if (s.aborted) return;
          await s.write(chunk);
        }
      },
      async (err) => deps.log.error({ err }, 'analytics CSV export failed'),
    );
  });

  app.get('/api/analytics/stream', async (c) => {
    const who = (await access(c))!;
    return hub.open(c, filterOf(c), { key: who.key, linkId: who.linkId });
  });

  /** Admin token only: a read-only link to the page for someone without a console account. */
  app.post('/api/analytics/links', async (c) => {
    onlyAdminToken(c);
    const days = Number(c.req.query('days') ?? 30) || 30;
    const link = await deps.links.create({ label: c.req.query('label') ?? 'API link', days, createdBy: 'admin-api' });
    const query = c.req.query('from') || c.req.query('to') ? `&${filterQuery(filterOf(c))}` : '';
    const url = `${deps.publicUrl ?? ''}/analytics?token=${encodeURIComponent(link.token)}${query}`;
    return c.json({ id: link.id, url, token: link.token, days: link.days, expiresAt: link.expiresAt }, 201);
  });
  app.get('/api/analytics/links', async (c) => {
    onlyAdminToken(c);
    return c.json({ links: await deps.links.list() });
  });
  app.delete('/api/analytics/links/:id', async (c) => {
    onlyAdminToken(c);
    const id = requireId(c.req.param('id'), 'No such analytics link.');
    if (!(await deps.links.revoke(id, 'admin-api'))) throw new AppError('not_found', 'No such active analytics link.');
    return c.body(null, 204);
  });

  return app;
}
