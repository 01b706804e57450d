/**
 * Knowledge-base curation for the IT team: browse reviewed entries, edit title and resolution, unpublish or
 * publish; drafts from closed tickets are reviewed on their own page (kb.drafts.ts).
 */
import { Hono } from 'hono';
import type { KbEntry } from '../db/models.js';
import type { Kb } from '../kb/entries.js';
import type { Logger } from '../log.js';
import { CATEGORIES } from '../domain/vocabulary.js';
import { identityOf, type ConsoleAuth, type ConsoleIdentity } from './auth.js';
import { html } from '../http/html.js';
import { csrfField, options, page, when } from './html.js';
import { kbDraftPages } from './kb.drafts.js';
import { requireId } from '../http/ids.js';

const FLASH: Record<string, { kind: 'ok' | 'error'; text: string }> = {
  saved: { kind: 'ok', text: 'Entry saved.' },
  missing: { kind: 'error', text: 'No such entry.' },
  empty: { kind: 'error', text: 'Title and resolution cannot be empty.' },
};

function entry(e: KbEntry, me: ConsoleIdentity) {
  const id = String(e.id);
  return html`<details class="kb-entry${e.published ? '' : ' unpublished'}"><summary><b>${e.title}</b> · ${e.category} · ${String(e.hits)} ticket${e.hits === 1 ? '' : 's'} · solved ${String(e.solved ?? 0)} · ${e.source}${e.issue ? ` · ${e.issue}` : ''}
      ${e.published ? '' : html` <span class="badge">unpublished</span>`} <small>${when(e.updatedAt)}</small></summary>
    <p class="muted">Original query:</p><pre class="text">${e.query}</pre>
    <form method="post" action="/console/kb/${id}">${csrfField(me.csrf)}
      <label>Title <input name="title" value="${e.title}" maxlength="300" required></label>
      <label>Resolution <textarea name="resolution" rows="6" required>${e.resolution}</textarea></label>
      <label><input type="checkbox" name="published" value="1"${e.published ? html` checked` : ''}> published (shown in search and suggestions)</label>
      <button type="submit">Save</button></form></details>`;
}

/** KB routes (mounted under /kb; every console role may curate, as the issue asks). */
export function kbPages(d: { auth: ConsoleAuth; kb: Kb; log: Logger }) {
  const app = new Hono();
  app.route('/drafts', kbDraftPages(d));

  app.get('/', async (c) => {
    const me = await identityOf(d.auth, c);
    const q = (c.req.query('q') ?? '').trim().slice(0, 100);
    const category = (CATEGORIES as readonly string[]).includes(c.req.query('category') ?? '')
      ? c.req.query('category')
      : undefined;
    const pub = c.req.query('published');
    const rows = await d.kb.list({
      titleContains: q || undefined,
      category,
      published: pub === 'yes' ? true : pub === 'no' ? false : undefined,
    });
    const drafts = await d.kb.countDrafts();
    const body = html`<h1>Knowledge base</h1>
      <p><a href="/console/kb/drafts">${drafts ? `${drafts} draft${drafts === 1 ? '' : 's'} from closed tickets to review` : 'No drafts to review'}</a></p>
      <form method="get" class="filters"><label>Title contains <input name="q" value="${q}"></label>
        <label>Category <select name="category">${options(CATEGORIES, category, 'any')}</select></label>
        <label>Published <select name="published">${options(['yes', 'no'], pub, 'any')}</select></label> <button type="submit">Find</button></form>
      ${rows.length ? rows.map((e) => entry(e, me)) : html`<p class="empty">No entries match.</p>`}`;
    return page(c, body, {
      title: 'Knowledge base',
      agent: me.agent,
      csrf: me.csrf,
      flash: FLASH[c.req.query('m') ?? ''] ?? null,
    });
  });

  app.post('/:id', async (c) => {
    const me = await identityOf(d.auth, c);
    const id = requireId(c.req.param('id'), 'No such entry.');
    const f = await c.req.parseBody();
    const title = String(f.title ?? '').trim();
    const resolution = String(f.resolution ?? '')
      .replace(/\r\n/g, '\n')
      .trim();
    if (!title || !resolution) return c.redirect('/console/kb?m=empty', 303);
    const e = await d.kb.update(id, {
      title: title.slice(0, 300),
      resolution,
      published: String(f.published ?? '') === '1',
    });
    if (e) d.log.info({ kbEntryId: e.id, published: e.published, by: me.agent.id }, 'knowledge-base entry edited');
    return c.redirect(`/console/kb?m=${e ? 'saved' : 'missing'}`, 303);
  });

  return app;
}
