/** The public, server-rendered knowledge-base pages for self-service: /kb (search) and /kb/:id (article). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { Models } from '../db/models.js';
import { escapeHtml, fill } from '../mail/outbound/render.js';
import { CATEGORIES, isCategory } from '../domain/vocabulary.js';
import type { KbSearch } from './search.js';

const template = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates/pages/kb.html'),
  'utf8',
);

function render(vars: { title: string; q?: string; category?: string; body: string }) {
  const categoryOptions = [
    '<option value="">All categories</option>',
    ...CATEGORIES.map((c) => `<option${c === vars.category ? ' selected' : ''}>${escapeHtml(c)}</option>`),
  ].join('');
  return fill(template, { ...vars, q: vars.q ?? '', categoryOptions }, true);
}

export function kbPages(deps: { search: KbSearch; models: Models }) {
  const app = new Hono();

  app.get('/', async (c) => {
    const q = (c.req.query('q') ?? '').slice(0, 300);
    const category = isCategory(c.req.query('category')) ? c.req.query('category') : undefined;
    let body = '<p class="muted">Type a few words about your problem.</p>';
    if (q.trim()) {
      const hits = await deps.search.search(q, { category, limit: 10 });
      body = hits.length
        ? `<p class="muted" role="status">${hits.length} result${hits.length > 1 ? 's' : ''}</p>` +
          hits
            .map(
              (h) =>
                `<div class="hit"><h2><a href="/kb/${h.id}">${escapeHtml(h.title)}</a></h2><div class="muted">${escapeHtml(h.category)}</div><p>${escapeHtml(h.snippet)}…</p></div>`,
            )
            .join('')
        : '<p role="status">No solution found. <a href="/">Ask the IT team</a> — they will help.</p>';
    }
    return c.html(render({ title: q ? `“${q}”` : 'Search', q, category, body }));
  });

  app.get('/:id{[0-9]+}', async (c) => {
    const e = await deps.models.KbEntry.findOne({ where: { id: Number(c.req.param('id')), published: true } });
    if (!e)
      return c.html(
        render({
          title: 'Not found',
          body: '<p>This article does not exist or was unpublished. <a href="/kb">Search again</a>.</p>',
        }),
        404,
      );
    const used = e.hits > 1 ? ` · solved ${e.hits} tickets` : '';
    return c.html(
      render({
        title: e.title,
        body: `<article class="article"><h2>${escapeHtml(e.title)}</h2><div class="muted">${escapeHtml(e.category)}${used}</div><div class="steps">${escapeHtml(e.resolution)}</div></article><p><a href="/kb">← Back to search</a></p>`,
      }),
    );
  });
  return app;
}
