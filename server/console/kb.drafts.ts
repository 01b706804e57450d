/**
 * The knowledge-base drafts an agent reviews (issue 11, item 7): every closed ticket leaves one, unpublished. The
 * agent sees what personal data was taken out, edits the text, and publishes, merges into an existing entry, or
 * discards it. Nothing from a ticket is findable before that.
 */
import { Hono } from 'hono';
import type { KbEntry } from '../db/models.js';
import { html } from '../http/html.js';
import type { Kb } from '../kb/entries.js';
import type { Logger } from '../log.js';
import { identityOf, type ConsoleAuth, type ConsoleIdentity } from './auth.js';
import { csrfField, page, when } from './html.js';

const FLASH: Record<string, { kind: 'ok' | 'error'; text: string }> = {
  saved: { kind: 'ok', text: 'Draft saved; still unpublished.' },
  published: { kind: 'ok', text: 'Published: the entry is now found by search and suggested in the widget.' },
  merged: { kind: 'ok', text: 'Merged into the existing entry; the draft is gone.' },
  discarded: { kind: 'ok', text: 'Draft discarded.' },
  missing: { kind: 'error', text: 'No such draft (already reviewed?).' },
  empty: { kind: 'error', text: 'Title and resolution cannot be empty.' },
  target: { kind: 'error', text: 'Choose an existing, reviewed entry to merge into.' },
};

const KIND: Record<string, string> = { email: 'email address', phone: 'phone number', name: 'name' };

function removedList(e: KbEntry) {
  const list = e.redactions ?? [];
  if (!list.length) return html`<p class="muted">No personal data was found to remove. Check the text anyway.</p>`;
  return html`<p><b>Removed before review</b> (put back only what the public may read):</p>
    <ul class="removed">${list.map((r) => html`<li>${KIND[r.kind] ?? r.kind}: <code>${r.text}</code></li>`)}</ul>`;
}

async function draftCard(kb: Kb, e: KbEntry, me: ConsoleIdentity, issues: Map<string, string>) {
  const id = String(e.id);
  const issueChoices = [...issues].map(
    ([slug, title]) => html`<option value="${slug}"${slug === e.issue ? html` selected` : ''}>${title}</option>`,
  );
  const similar = await kb.similar(e);
  const choices = similar.map(
    (h) =>
      html`<option value="${String(h.id)}"${h.merge ? html` selected` : ''}>#${String(h.id)} ${h.title} (match ${h.score.toFixed(2)})</option>`,
  );
  return html`<section class="kb-entry draft" aria-labelledby="d${id}"><h2 id="d${id}">Draft #${id} · ${e.category}</h2>
    <p class="muted">From ticket ${e.sourceTicketId ? html`<a href="/console/tickets/${String(e.sourceTicketId)}">#${String(e.sourceTicketId)}</a>` : '—'} · ${when(e.createdAt)}</p>
    ${removedList(e)}
    <form method="post" action="/console/kb/drafts/${id}">${csrfField(me.csrf)}
      <label>Title (public) <input name="title" value="${e.title}" maxlength="300" required></label>
      <label>Resolution (public) <textarea name="resolution" rows="6" required>${e.resolution}</textarea></label>
      <label>How the problem was described (indexed for search, not shown) <textarea name="query" rows="4">${e.query}</textarea></label>
      <label>Known issue it answers (then the AI may answer or suggest it like that issue's article)
        <select name="issue"><option value="">none: only a close word match counts</option>${issueChoices}</select></label>
      <p><button type="submit" name="do" value="publish">Publish</button> <button type="submit" name="do" value="save">Save draft</button>
        <button type="submit" name="do" value="discard" data-confirm="Discard this draft?">Discard</button></p>
      <p><label>Merge into <select name="into"><option value="">choose an entry…</option>${choices}</select></label>
        <label>or entry # <input name="intoId" inputmode="numeric" pattern="[0-9]*" size="6"></label>
        <button type="submit" name="do" value="merge">Merge</button></p>
    </form></section>`;
}

/** Draft routes (mounted under /kb/drafts inside the console's KB pages). */
export function kbDraftPages(d: { auth: ConsoleAuth; kb: Kb; log: Logger }) {
  const app = new Hono();

  app.get('/', async (c) => {
    const me = await identityOf(d.auth, c);
    const [rows, issues] = await Promise.all([d.kb.drafts(), d.kb.knownIssues()]);
    const cards = await Promise.all(rows.map((e) => draftCard(d.kb, e, me, issues)));
    const body = html`<h1>Knowledge-base drafts</h1>
      <p>Each closed ticket leaves a draft here. Nothing in it is searchable until you publish it. <a href="/console/kb">All entries</a></p>
      ${cards.length ? cards : html`<p class="empty">No drafts to review.</p>`}`;
    return page(c, body, {
      title: 'KB drafts',
      agent: me.agent,
      csrf: me.csrf,
      flash: FLASH[c.req.query('m') ?? ''] ?? null,
    });
  });

  app.post('/:id', async (c) => {
    const me = await identityOf(d.auth, c);
    const f = await c.req.parseBody();
    const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
    const id = Number(c.req.param('id'));
    const text = { title: str('title'), query: str('query'), resolution: str('resolution'), issue: str('issue') };
    const back = (m: string) => c.redirect(`/console/kb/drafts?m=${m}`, 303);
    const log = (action: string, extra: Record<string, unknown> = {}) =>
      d.log.info({ kbEntryId: id, by: me.agent.id, action, ...extra }, 'knowledge-base draft reviewed');
    switch (str('do')) {
      case 'discard':
        if (!(await d.kb.discard(id))) return back('missing');
        log('discard');
        return back('discarded');
      case 'merge': {
        const into = Number(str('intoId').trim() || str('into'));
        if (!(await d.kb.draft(id))) return back('missing');
        const e = await d.kb.merge(id, into, text.query);
        if (!e) return back('target');
        log('merge', { into: e.id });
        return back('merged');
      }
      case 'publish':
      case 'save': {
        if (!text.title.trim() || !text.resolution.trim()) return back('empty');
        const e = str('do') === 'publish' ? await d.kb.publish(id, text) : await d.kb.save(id, text);
        if (!e) return back('missing');
        log(str('do'));
        return back(str('do') === 'publish' ? 'published' : 'saved');
      }
      default:
        return back('missing');
    }
  });

  return app;
}
