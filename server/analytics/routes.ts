/**
 * Analytics routes, mounted at '/': the page, its script, the summary JSON, the CSV export and the SSE stream.
 * Who may see them: the admin bearer token (scripts), a read-only signed link (`?token=`, claims {t: 0, a:
 * 'analytics'}), or whatever `authorize` accepts (main.ts plugs in the console's manager/admin session).
 */
import { readFile } from 'node:fs/promises';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { stream } from 'hono/streaming';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { hasAdminToken } from '../http/auth.js';
import type { LinkSigner } from '../http/signed-links.js';
import { ANALYTICS_FILE } from '../http/dist.js';
import { exportCsv } from './csv.js';
import type { AnalyticsEvents } from './events.js';
import { filterQuery, parseFilter } from './filter.js';
import { analyticsPage, unauthorizedPage } from './html.js';
import type { AnalyticsQueries } from './queries.js';
import { createSummaryCache, summaryStream } from './stream.js';

export interface AnalyticsRoutesDeps {
  queries: AnalyticsQueries;
  events: AnalyticsEvents;
  signer: LinkSigner;
  adminToken: string;
  clock: () => Date;
  log: Logger;
  /** Extra access check, e.g. a console session with the manager or admin role. */
  authorize?: (c: Context) => Promise<boolean>;
  /** Base URL for links handed out by POST /api/analytics/links. */
  publicUrl?: string;
  scriptFile?: string;
  debounceMs?: number;
  refreshMs?: number;
}

const LINK_DAYS_MAX = 90;

/** Mints a read-only analytics token valid for `days`. */
export const analyticsToken = (signer: LinkSigner, days = 30) => signer.sign({ t: 0, a: 'analytics' }, days);

/** The analytics sub-application. */
export function analyticsRoutes(deps: AnalyticsRoutesDeps) {
  const app = new Hono();
  const cache = createSummaryCache(deps.queries, deps.events);
  const scriptFile = deps.scriptFile ?? ANALYTICS_FILE;

  async function allowed(c: Context): Promise<boolean> {
    if (hasAdminToken(c.req.header('authorization'), deps.adminToken)) return true;
    const token = c.req.query('token');
    if (token) {
      try {
        deps.signer.verify(token, 'analytics');
        return true;
      } catch {
        // A wrong or expired link falls through to the session check, then 401.
      }
    }
    return deps.authorize ? deps.authorize(c).catch(() => false) : false;
  }
  const guard: MiddlewareHandler = async (c, next) => {
    if (!(await allowed(c)))
      throw new AppError('unauthorized', 'A manager session, the admin token or a valid analytics link is required.');
    c.header('Cache-Control', 'no-store');
    await next();
  };
  const filterOf = (c: Context) => parseFilter(c.req.query(), deps.clock());

  app.get('/analytics', async (c) => {
    if (!(await allowed(c))) return c.html(unauthorizedPage(), 401);
    c.header('Cache-Control', 'no-store');
    // A signed link must not leak to other sites through the Referer header.
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(analyticsPage('/analytics/app.js'));
  });

  // The script is code only (no data), so it needs no token; it is rebuilt at start, hence no long caching.
  app.get('/analytics/app.js', async (c) => {
    const js = await readFile(scriptFile, 'utf8').catch(() => null);
    if (js == null)
      throw new AppError('not_found', 'The analytics script is not built (npx tsx server/analytics/build.ts).');
    return c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
  });

  app.use('/api/analytics/*', guard);

  app.get('/api/analytics/summary', async (c) => c.json(await cache.get(filterOf(c))));

  app.get('/api/analytics/export.csv', (c) => {
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

  app.get('/api/analytics/stream', (c) =>
    summaryStream(
      c,
      filterOf(c),
      {
        queries: deps.queries,
        events: deps.events,
        log: deps.log,
        debounceMs: deps.debounceMs,
        refreshMs: deps.refreshMs,
      },
      cache,
    ),
  );

  /** Admin only: a read-only link to the page for someone without a console account. */
  app.post('/api/analytics/links', async (c) => {
    if (!hasAdminToken(c.req.header('authorization'), deps.adminToken))
      throw new AppError('forbidden', 'Only the admin token can create analytics links.');
    const days = Math.min(LINK_DAYS_MAX, Math.max(1, Number(c.req.query('days') ?? 30) || 30));
    const token = analyticsToken(deps.signer, days);
    const query = c.req.query('from') || c.req.query('to') ? `&${filterQuery(filterOf(c))}` : '';
    return c.json(
      { url: `${deps.publicUrl ?? ''}/analytics?token=${encodeURIComponent(token)}${query}`, token, days },
      201,
    );
  });

  return app;
}
