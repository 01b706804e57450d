/** The queue page: tabs with counts, a filter form (plain GET, works without script) and the ticket table. */
import type { Context } from 'hono';
import type { TicketRow } from '../tickets/reads.js';
import { STATUSES } from '../domain/vocabulary.js';
import { CATEGORIES, LEVELS } from '../domain/vocabulary.js';
import type { ConsoleIdentity } from './auth.js';
import { html } from '../http/html.js';
import { options, page, when } from './html.js';
import { PAGE_SIZE, QUEUES, parseFilter, type QueueFilter, type QueueName, type Queues } from './queues.js';

const LABEL: Record<QueueName, string> = { pool: 'Pool', mine: 'Mine', escalated: 'Escalated', all: 'All' };

const qs = (f: QueueFilter, extra: Record<string, string> = {}) => {
  const p = new URLSearchParams({ ...(f as Record<string, string>), ...extra });
  const s = p.toString();
  return s ? `?${s}` : '';
};

function row(t: TicketRow) {
  return html`<tr class="sev-${t.severity}${t.escalated ? ' escalated' : ''}">
    <td><a href="/console/tickets/${t.ref ?? String(t.id)}">${t.ref}</a></td>
    <td class="subject">${t.subject}</td><td>${t.category}</td><td>${t.severity}</td><td>${t.urgency}</td>
    <td>${t.status.replace(/_/g, ' ')}${t.escalated ? html` <span class="badge">escalated</span>` : ''}${t.incidentId ? html` <a class="badge" href="/console/incidents/MI-${String(t.incidentId)}">MI-${String(t.incidentId)}</a>` : ''}</td>
    <td>${t.devCenter ?? '—'}</td><td>${t.assignee?.name ?? (t.route === 'pool' ? 'pool' : '—')}</td><td>${when(t.createdAt)}</td></tr>`;
}

/** Renders one queue for the signed-in agent. */
export async function queuePage(c: Context, me: ConsoleIdentity, queues: Queues, queue: QueueName) {
  const f = parseFilter(c.req.query());
  // ?page=1e400 is Infinity: it must not reach OFFSET.
  const pageNo = Math.min(Math.max(1, Math.trunc(Number(c.req.query('page'))) || 1), 100_000);
  const [{ tickets, total }, counts, centres] = await Promise.all([
    queues.list(queue, me.agent.id, f, pageNo),
    queues.counts(me.agent.id, f),
    queues.devCenters(),
  ]);
  const tabs = QUEUES.map(
    (q) =>
      html`<a class="tab${q === queue ? ' current' : ''}" href="/console/queues/${q}${qs(f)}"${q === queue ? html` aria-current="page"` : ''}>${LABEL[q]} <span class="count">${counts[q]}</span></a>`,
  );
  const filters = html`<form method="get" class="filters" data-autosubmit>
    <label>Category <select name="category">${options(CATEGORIES, f.category, 'any')}</select></label>
    <label>Severity <select name="severity">${options(LEVELS, f.severity, 'any')}</select></label>
    <label>Development centre <select name="devCenter">${options(centres, f.devCenter, 'any')}</select></label>
    <label>Status <select name="status">${options(STATUSES, f.status, queue === 'all' ? 'any' : 'needs someone')}</select></label>
    <button type="submit">Filter</button> <a href="/console/queues/${queue}">Clear</a></form>`;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const pager =
    pages > 1
      ? html`<p class="pager">${pageNo > 1 ? html`<a href="/console/queues/${queue}${qs(f, { page: String(pageNo - 1) })}">← newer</a>` : ''}
      page ${pageNo} of ${pages} ${pageNo < pages ? html`<a href="/console/queues/${queue}${qs(f, { page: String(pageNo + 1) })}">next →</a>` : ''}</p>`
      : '';
  const table = tickets.length
    ? html`<table class="tickets"><thead><tr><th>Ref</th><th>Subject</th><th>Category</th><th>Severity</th><th>Urgency</th><th>Status</th><th>Centre</th><th>Assignee</th><th>Created</th></tr></thead>
      <tbody>${tickets.map(row)}</tbody></table>${pager}`
    : html`<p class="empty">No tickets here.</p>`;
  return page(
    c,
    html`<h1>${LABEL[queue]} <small>${total} ticket${total === 1 ? '' : 's'}</small></h1>
    <div class="tabs" role="navigation" aria-label="Queues">${tabs}</div>${filters}${table}`,
    { title: LABEL[queue], agent: me.agent, csrf: me.csrf },
  );
}
