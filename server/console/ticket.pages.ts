/** The ticket page: header, presence hint, thread, actions, triage and audit trail. */
import type { Context } from 'hono';
import type { AgentInfo } from '../agents/agents.js';
import type { EventRow, MessageRow, RequesterRow, TicketRow } from '../tickets/reads.js';
import { OPEN_STATUSES, type Status } from '../domain/vocabulary.js';
import { CATEGORIES, LEVELS } from '../domain/vocabulary.js';
import type { ConsoleIdentity } from './auth.js';
import { html } from '../http/html.js';
import { csrfField, options, page, when, type PageOptions } from './html.js';
import type { Viewer } from './presence.js';
import { answerPanel } from './answer-panel.js';
import { draftPanel, type DraftWithSimilar } from './draft-panel.js';
import { threadHtml } from './thread.js';

export interface TicketPageData {
  ticket: TicketRow;
  requester: RequesterRow | null;
  messages: MessageRow[];
  events: EventRow[];
  agents: AgentInfo[];
  others: Viewer[];
  /** The drafted-reply panel for a ticket a person handles: filled (no-script fallback) or fetched by the script. */
  draft?: { filled: DraftWithSimilar | null; insert: boolean } | null;
}

const str = (v: unknown) => (v == null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function triagePanel(t: TicketRow) {
  const tr = (t.triage ?? {}) as Record<string, unknown>;
  const signals = Array.isArray(tr.signals) ? (tr.signals as unknown[]).map(String) : [];
  return html`<section class="panel triage"><h2>Triage</h2><dl>
    <dt>Classifier</dt><dd>${t.classifier ?? '—'}</dd>
    <dt>Confidence</dt><dd>${t.confidence == null ? '—' : `${Math.round(t.confidence * 100)}%`}</dd>
    <dt>Rule</dt><dd>${str(tr.rule)}</dd>
    <dt>Signals</dt><dd>${signals.length ? signals.join(', ') : 'none'}</dd>
    <dt>Suggested agent</dt><dd>${str(tr.suggestedAgent)}</dd>
    <dt>Sentiment / intent</dt><dd>${t.sentiment ?? '—'} / ${t.intent ?? '—'}${t.complex ? ' · complex' : ''}</dd>
    <dt>Summary</dt><dd>${t.summary ?? '—'}</dd>
    ${t.corrected ? html`<dt>Corrected</dt><dd>yes: the local classifier learns from this ticket</dd>` : ''}
  </dl></section>`;
}

function auditPanel(events: EventRow[]) {
  return html`<section class="panel audit"><h2>Audit trail</h2><table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Details</th></tr></thead><tbody>
    ${events.map((e) => html`<tr><td>${when(e.createdAt)}</td><td>${e.actor}</td><td>${e.action}</td><td><code>${e.data ? JSON.stringify(e.data) : ''}</code></td></tr>`)}
  </tbody></table></section>`;
}

function actionsPanel(t: TicketRow, me: ConsoleIdentity, agents: AgentInfo[], replyText = '') {
  const base = `/console/tickets/${t.ref}`;
  const live = (OPEN_STATUSES as readonly string[]).includes(t.status);
  const form = (action: string, body: ReturnType<typeof html>, cls = '') =>
    html`<form method="post" action="${base}/${action}" class="${cls}">${csrfField(me.csrf)}${body}</form>`;
  const humans = agents.filter((a) => a.kind === 'human' && a.active);
  return html`<section class="panel actions"><h2>Actions</h2>
    ${live && t.assigneeId !== me.agent.id ? form('take', html`<button type="submit">Take it (assign to me)</button>`, 'inline') : ''}
    ${live ? form('assign', html`<label>${t.assigneeId ? 'Reassign to' : 'Assign to'} <select name="agent">${humans.map((a) => html`<option value="${String(a.id)}"${a.id === t.assigneeId ? html` selected` : ''}>${a.name}</option>`)}</select></label> <button type="submit">Assign</button>`) : ''}
    ${live ? form('reply', html`<label for="reply">Reply to the requester (sent by email)</label><textarea id="reply" name="text" rows="5" required>${replyText}</textarea><button type="submit">Send reply</button>`) : ''}
    ${form('note', html`<label for="note">Internal note (never sent)</label><textarea id="note" name="text" rows="3" required></textarea><button type="submit">Add note</button>`)}
    ${form(
      'correct',
      html`<fieldset><legend>Correct the triage</legend>
      <label>Category <select name="category">${options(CATEGORIES, t.category)}</select></label>
      <label>Severity <select name="severity">${options(LEVELS, t.severity)}</select></label>
      <label>Urgency <select name="urgency">${options(LEVELS, t.urgency)}</select></label>
      <button type="submit">Save correction</button></fieldset>`,
    )}
    ${live ? form('resolve', html`<label for="resolution">Resolution (emailed to the requester, kept for the knowledge base)</label><textarea id="resolution" name="resolution" rows="4" required></textarea><button type="submit">Resolve</button>`) : ''}
    ${t.status !== 'closed' ? form('close', html`<button type="submit" data-confirm="Close this ticket?">Close ticket</button>`, 'inline') : ''}
    ${t.status === 'resolved' || t.status === 'closed' ? form('reopen', html`<button type="submit">Reopen</button>`, 'inline') : ''}
  </section>`;
}

/**
 * The name given on this ticket when it differs from the stored one: the widget and email cannot change a
 * requester's identity, so what an unauthenticated sender typed is shown beside it, marked as theirs.
 */
function givenName(t: TicketRow, r: RequesterRow | null) {
  if (!t.requesterName || !r || t.requesterName === r.name) return '';
  return html` <span class="badge" title="The name typed on this ticket; not verified">gave the name “${t.requesterName}”</span>`;
}

/** Renders the ticket page. */
export function ticketPage(
  c: Context,
  me: ConsoleIdentity,
  d: TicketPageData,
  flash: PageOptions['flash'],
  status = 200,
) {
  const t = d.ticket;
  const byId = new Map(d.agents.map((a) => [a.id, a]));
  const assignee = t.assigneeId
    ? (byId.get(t.assigneeId)?.name ?? `#${t.assigneeId}`)
    : t.route === 'pool'
      ? 'the pool'
      : '—';
  const others = d.others.map((o) => o.name).join(', ');
  const body = html`<h1>${t.ref} · ${t.subject}</h1>
    <p class="meta"><span class="status s-${t.status as Status}">${t.status.replace(/_/g, ' ')}</span>${t.escalated ? html` <span class="badge">escalated</span>` : ''}
      · ${t.category} · severity ${t.severity} · urgency ${t.urgency} · assigned to ${assignee} · via ${t.channel}
      · ${d.requester ? html`${d.requester.name} &lt;${d.requester.email}&gt;` : ''}${givenName(t, d.requester)} · ${t.devCenter ?? 'no centre'} · opened ${when(t.createdAt)}</p>
    ${t.incidentId ? html`<p class="flash ok">Part of major incident <a href="/console/incidents/MI-${String(t.incidentId)}">MI-${String(t.incidentId)}</a>: it is handled there, with the other reports of the same problem.</p>` : ''}
    <p class="presence" role="status" aria-live="polite" data-presence="/console/tickets/${t.ref ?? ''}/presence">${others ? `Also viewing this ticket: ${others}` : ''}</p>
    ${t.resolution ? html`<section class="panel"><h2>Resolution</h2><pre class="text">${t.resolution}</pre></section>` : ''}
    <div class="ticket-grid"><div>${threadHtml(d.messages, byId, { agentId: me.agent.id, csrf: me.csrf, base: `/console/tickets/${t.ref}` })}${auditPanel(d.events)}</div><div>${actionsPanel(t, me, d.agents, d.draft?.insert && d.draft.filled ? d.draft.filled.text : '')}${d.draft ? draftPanel(t, d.draft.filled) : ''}${triagePanel(t)}${answerPanel(t.triage)}</div></div>`;
  return page(c, body, { title: t.ref ?? 'Ticket', agent: me.agent, csrf: me.csrf, flash, status });
}
