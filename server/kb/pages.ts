/** The public, server-rendered knowledge-base pages for self-service: /kb (search) and /kb/:id (article). */
import { Hono } from 'hono';
import { CATEGORIES, isCategory } from '../domain/vocabulary.js';
import { html, raw, type Html } from '../http/html.js';
import type { Kb } from './entries.js';
import type { KbSearch } from './search.js';
import { parseId } from '../http/ids.js';

const STYLE = `
  :root { color-scheme: light dark; --fg: #1f2328; --muted: #57606a; --bg: #f4f5f7; --card: #fff; --line: #d8dce1; --accent: #0969da; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --card: #161b22; --line: #30363d; --accent: #58a6ff; } }
  body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; }
  main { max-width: 760px; margin: 0 auto; padding: 24px 16px; }
  form { display: flex; gap: 8px; flex-wrap: wrap; margin: 16px 0; }
  input, select { font: inherit; padding: 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
  input[type=search] { flex: 1 1 260px; }
  button { font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 10px 18px; font-weight: 600; cursor: pointer; }
  :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .hit, .article { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin-bottom: 12px; }
  .hit h2 { font-size: 1.05rem; margin: 0 0 4px; } .hit a { color: var(--accent); }
  .muted { color: var(--muted); font-size: .9rem; }
  .steps { white-space: pre-line; }
  .known { border: 2px solid #cf222e; border-radius: 10px; padding: 12px 20px; margin-bottom: 16px; background: var(--card); }
  .known h2 { font-size: 1.05rem; margin: 0 0 6px; } .known ul { margin: 0; padding-left: 20px; }
  label.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }`;

function layout(v: { title: string; q?: string; category?: string; body: Html }) {
  const categoryOptions = CATEGORIES.map((c) => html`<option${c === v.category ? raw(' selected') : ''}>${c}</option>`);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${v.title} · IT Help</title><style>${raw(STYLE)}</style></head>
<body><main>
<h1>IT help: search solutions</h1>
<p class="muted">Answers from our resolved tickets and IT guides. Can't find it? <a href="/">Ask the IT team</a>.</p>
<search><form method="get" action="/kb">
  <label class="sr" for="q">Search</label>
  <input type="search" id="q" name="q" value="${v.q ?? ''}" placeholder="e.g. VPN keeps disconnecting">
  <label class="sr" for="category">Category</label>
  <select id="category" name="category"><option value="">All categories</option>${categoryOptions}</select>
  <button type="submit">Search</button>
</form></search>
${v.body}
</main></body></html>`.toString();
}

/** An open major incident as the public sees it (server/incidents/known.ts): never a child's text or a name. */
export interface KnownIssue {
  ref: string;
  title: string;
  devCenter: string | null;
  since: Date;
}

/** Open known issues first: someone with that problem learns it is being handled before searching. */
function knownList(known: KnownIssue[]) {
  if (!known.length) return '';
  return html`<section class="known" aria-labelledby="known-h"><h2 id="known-h">Known issues we are working on</h2><ul>
    ${known.map((k) => html`<li><strong>${k.title}</strong> <span class="muted">· ${k.devCenter ?? 'all centres'} · since <time datetime="${k.since.toISOString()}">${k.since.toISOString().slice(0, 16).replace('T', ' ')} UTC</time></span></li>`)}
  </ul><p class="muted">No need to report these again: you will hear from us when they are fixed.</p></section>`;
}

export function kbPages(deps: { search: KbSearch; kb: Kb; knownIssues?: () => Promise<KnownIssue[]> }) {
  const app = new Hono();

  app.get('/', async (c) => {
    const known = knownList((await deps.knownIssues?.()) ?? []);
    const q = (c.req.query('q') ?? '').slice(0, 300);
    const category = isCategory(c.req.query('category')) ? c.req.query('category') : undefined;
    let body = html`<p class="muted">Type a few words about your problem.</p>`;
    if (q.trim()) {
      const hits = await deps.search.search(q, { category, limit: 10 });
      body = hits.length
        ? html`<p class="muted" role="status">${hits.length} result${hits.length > 1 ? 's' : ''}</p>${hits.map(
            (h) =>
              html`<div class="hit"><h2><a href="/kb/${h.id}">${h.title}</a></h2><div class="muted">${h.category}</div><p>${h.snippet}…</p></div>`,
          )}`
        : html`<p role="status">No solution found. <a href="/">Ask the IT team</a> — they will help.</p>`;
    }
    return c.html(layout({ title: q ? `“${q}”` : 'Search', q, category, body: html`${known}${body}` }));
  });

  app.get('/:id{[0-9]+}', async (c) => {
    const id = parseId(c.req.param('id'));
    const e = id === null ? null : await deps.kb.published(id);
    if (!e) {
      const body = html`<p>This article does not exist or was unpublished. <a href="/kb">Search again</a>.</p>`;
      return c.html(layout({ title: 'Not found', body }), 404);
    }
    // The tickets an entry was made from, and the requesters who confirmed it solved their problem.
    const n = (e.source === 'ticket' ? e.hits : 0) + (e.solved ?? 0);
    const used = n > 0 ? ` · solved ${n} request${n === 1 ? '' : 's'}` : '';
    const body = html`<article class="article"><h2>${e.title}</h2><div class="muted">${e.category}${used}</div>
<div class="steps">${e.resolution}</div></article><p><a href="/kb">← Back to search</a></p>`;
    return c.html(layout({ title: e.title, body }));
  });
  return app;
}
