/**
 * The console's drafted reply (issue 13, item 4), for every ticket a person handles: the draft composed the grounded
 * way (triage/draft.ts), the entries it rests on, the resolved tickets most like it with what solved them, and one
 * button that puts the draft into the reply box. Nothing is sent: the agent edits and presses "Send reply".
 *
 * The page does not wait for it (with OpenAI a draft takes seconds): the panel names its URL and the console script
 * fetches it as a server-rendered fragment. Without script, "Show the draft" renders it in the page, and "Insert
 * into the reply box" reloads with the reply box filled.
 */
import { OPEN_STATUSES } from '../domain/vocabulary.js';
import { html } from '../http/html.js';
import type { TicketReads, TicketRow } from '../tickets/reads.js';
import { similarResolved, type ReplyDraft, type ReplyDrafter } from '../triage/draft.js';
import type { Intent } from '../domain/vocabulary.js';

export type DraftWithSimilar = ReplyDraft & {
  similar: { ref: string | null; subject: string; resolution: string; score: number }[];
};

/** Whether a ticket gets a draft: a person handles it and it is still being worked on. */
export const wantsDraft = (t: TicketRow) =>
  t.route !== 'ai' && (OPEN_STATUSES as readonly string[]).includes(t.status) && t.status !== 'new';

/** Composes the draft and finds the similar resolved tickets (the fragment's data). */
export async function composeDraft(
  d: { drafter: ReplyDrafter; reads: TicketReads },
  t: TicketRow,
  agentName: string,
): Promise<DraftWithSimilar> {
  const tr = (t.triage ?? {}) as { signals?: unknown };
  const requester = await d.reads.requester(t.requesterId);
  const input = {
    subject: t.subject,
    text: t.description,
    requesterName: t.requesterName ?? requester?.name ?? '',
    category: t.category,
    intent: (t.intent ?? 'other') as Intent,
    signals: Array.isArray(tr.signals) ? tr.signals.map(String) : [],
    complex: !!t.complex,
    route: t.route,
  };
  const [draft, candidates] = await Promise.all([
    d.drafter.draft(input, agentName),
    d.reads.resolvedInCategory(t.category, t.id),
  ]);
  const similar = similarResolved(`${t.subject}\n${t.description}`, candidates).map((c) => ({
    ref: c.ref,
    subject: c.subject,
    resolution: c.resolution.slice(0, 600),
    score: c.score,
  }));
  return { ...draft, similar };
}

/** The fragment: the note, the draft, the insert button, the entries and the similar resolved tickets. */
export function draftFragment(ref: string, x: DraftWithSimilar) {
  return html`<p class="muted draft-note">${x.note}</p>
    <pre class="text draft-text" id="draft-text">${x.text}</pre>
    <p><a class="button" href="/console/tickets/${ref}?draft=insert#reply" data-insert-draft="#draft-text">Insert into the reply box</a>
      <span class="muted">${x.composer === 'none' ? 'no entry fits' : `written by ${x.composer}`}</span></p>
    ${x.entries.length ? html`<h3>From the knowledge base</h3><ul class="draft-entries">${x.entries.map((e) => html`<li><a href="/kb/${String(e.id)}">${e.title}</a> <span class="muted">(word match ${String(e.score)})</span></li>`)}</ul>` : ''}
    <h3>Similar resolved tickets</h3>
    ${
      x.similar.length
        ? html`<ul class="similar">${x.similar.map((s) => html`<li><a href="/console/tickets/${s.ref ?? ''}">${s.ref}</a> ${s.subject}<pre class="text">${s.resolution}</pre></li>`)}</ul>`
        : html`<p class="empty">None found in this category.</p>`
    }`;
}

/** The panel on the ticket page: lazy (the script fetches the fragment) or already filled (no-script fallback). */
export function draftPanel(t: TicketRow, filled: DraftWithSimilar | null) {
  const ref = t.ref ?? String(t.id);
  return html`<section class="panel draft" id="draft" aria-labelledby="draft-h" aria-live="polite"${filled ? '' : html` data-draft="/console/tickets/${ref}/draft"`}>
    <h2 id="draft-h">Drafted reply</h2>
    <div class="draft-body">${filled ? draftFragment(ref, filled) : html`<p class="muted">Drafting… <a href="/console/tickets/${ref}?draft=show#draft">Show the draft</a></p>`}</div>
  </section>`;
}
