/** Knowledge-base API: search (widget suggestions and the self-service page share it) and deflections. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Kb } from './entries.js';
import { readJson } from '../http/errors.js';
import { AppError } from '../errors.js';
import { isCategory } from '../domain/vocabulary.js';
import type { KbSearch } from './search.js';

export function kbRoutes(deps: { search: KbSearch; kb: Kb }) {
  const app = new Hono();

  app.get('/search', async (c) => {
    const q = (c.req.query('q') ?? '').slice(0, 500);
    const category = c.req.query('category') || undefined;
    if (category && !isCategory(category))
      throw new AppError('validation_failed', undefined, { fields: { category: 'unknown category' } });
    const limit = Number(c.req.query('limit') ?? 5);
    if (!Number.isFinite(limit))
      throw new AppError('validation_failed', undefined, { fields: { limit: 'must be a number' } });
    const hits = q.trim() ? await deps.search.search(q, { category, limit }) : [];
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
    const e = await deps.kb.published(Number(c.req.param('id')) || 0);
    if (!e) throw new AppError('not_found', 'No such article.');
    return c.json({ id: e.id, title: e.title, resolution: e.resolution, category: e.category, hits: e.hits });
  });

  /** "This solved it" on a suggestion: a problem solved without a ticket, counted by analytics. */
  app.post('/deflections', async (c) => {
    const b = await readJson(
      c,
      z.object({
        kbEntryId: z.number().int().positive(),
        query: z.string().max(2000).optional(),
        devCenter: z.string().max(100).optional(),
        email: z.string().email().max(320).optional(),
      }),
    );
    const entry = await deps.kb.published(b.kbEntryId);
    if (!entry) throw new AppError('not_found', 'No such article.');
    const d = await deps.kb.recordDeflection({
      kbEntryId: entry.id,
      query: b.query ?? null,
      devCenter: b.devCenter ?? null,
      email: b.email?.toLowerCase() ?? null,
    });
    return c.json({ id: d.id }, 201);
  });
  return app;
}
