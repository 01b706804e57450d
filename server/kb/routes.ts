/** Knowledge-base API: search (widget suggestions and the self-service page share it) and deflections. */
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Kb } from './entries.js';
import { readJson } from '../http/errors.js';
import { AppError } from '../errors.js';
import { knownCentre } from '../domain/centres.js';
import { isCategory } from '../domain/vocabulary.js';
import type { KbSearch } from './search.js';
import { requireId } from '../http/ids.js';

export interface KbRoutesDeps {
  search: KbSearch;
  kb: Kb;
  /** The development centres a deflection may name (seeds/agents.json). */
  devCenters: readonly string[];
  /** The limit on deflections per client (they are unauthenticated and feed analytics). */
  deflectionLimit?: MiddlewareHandler;
}

export function kbRoutes(deps: KbRoutesDeps) {
  const app = new Hono();
  const pass: MiddlewareHandler = (_c, next) => next();

  app.get('/search', async (c) => {
    const q = (c.req.query('q') ?? '').slice(0, 500);
    const category = c.req.query('category') || undefined;
    if (category && !isCategory(category))
      throw new AppError('validation_failed', undefined, { fields: { category: 'unknown category' } });
    const limit = Number(c.req.query('limit') ?? 5);
    if (!Number.isFinite(limit))
      throw new AppError('validation_failed', undefined, { fields: { limit: 'must be a number' } });
    const hits = q.trim() ? await deps.search.search(q, { category, limit: Math.trunc(limit) }) : [];
    return c.json({
      results: hits.map(({ id, title, snippet, category: cat, score }) => ({
        id,
        title,
        snippet,
        category: cat,
        score,
      })),
    });
  });

  app.get('/entries/:id', async (c) => {
    const e = await deps.kb.published(requireId(c.req.param('id'), 'No such article.'));
    if (!e) throw new AppError('not_found', 'No such article.');
    return c.json({ id: e.id, title: e.title, resolution: e.resolution, category: e.category, hits: e.hits });
  });

  /** "This solved it" on a suggestion: a problem solved without a ticket, counted by analytics. */
  app.post('/deflections', deps.deflectionLimit ?? pass, async (c) => {
    const b = await readJson(
      c,
      z.object({
        kbEntryId: z.number().int().positive(),
        query: z.string().max(2000).optional(),
        devCenter: z.string().max(100).optional(),
        email: z.string().email().max(320).optional(),
      }),
    );
    const devCenter = knownCentre(b.devCenter, deps.devCenters);
    if (b.devCenter?.trim() && !devCenter)
      throw new AppError('validation_failed', undefined, { fields: { devCenter: 'unknown development centre' } });
    const entry = await deps.kb.published(b.kbEntryId);
    if (!entry) throw new AppError('not_found', 'No such article.');
    const d = await deps.kb.recordDeflection({
      kbEntryId: entry.id,
      query: b.query ?? null,
      devCenter,
      email: b.email?.toLowerCase() ?? null,
    });
    return c.json({ id: d.id }, 201);
  });
  return app;
}
