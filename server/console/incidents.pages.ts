/** The console's major-incident pages: the incidents queue and the incident view (children, updates, actions). */
import type { Context } from 'hono';
import type { AgentInfo } from '../agents/agents.js';
import type { IncidentRow, LinkRow, UpdateRow } from '../incidents/incidents.js';
import { html } from '../http/html.js';
import type { ConsoleIdentity } from './auth.js';
import { csrfField, page, when, type PageOptions } from './html.js';

export const INCIDENT_TABS = ['open', 'resolved', 'all'] as const;
export type IncidentTab = (typeof INCIDENT_TABS)[number];

const where = (i: { devCenter: string | null; scope: string }) =>
  i.scope === 'global' ? 'all centres' : (i.devCenter ?? 'no centre');
const minutes = (a: Date, b: Date | null) =>
  b ? `${Math.max(0, Math.round((new Date(b).getTime() - new Date(a).getTime()) / 60_000))} min` : '—';

/** The incidents queue: open first, with how many tickets each stands for. */
export function incidentQueuePage(
  c: Context,
  me: ConsoleIdentity,
  tab: IncidentTab,
  rows: (IncidentRow & { children: number })[],
  agents: Map<number, AgentInfo>,
) {
  const tabs = INCIDENT_TABS.map(
    (t) =>
      html`<a class="tab${t === tab ? ' current' : ''}" href="/console/incidents?status=${t}"${t === tab ? html` aria-current="page"` : ''}>${t[0]!.toUpperCase() + t.slice(1)}</a>`,
  );
  const table = rows.length
    ? html`<table class="tickets"><thead><tr><th>Ref</th><th>Title</th><th>Category</th><th>Where</th><th>Severity</th><th>Tickets</th><th>Owner</th><th>First ticket</th><th>Detected after</th><th>Status</th></tr></thead><tbody>
      ${rows.map(
        (i) =>
          html`<tr class="sev-${i.severity}"><td><a href="/console/incidents/${i.ref}">${i.ref}</a></td><td>${i.title}</td><td>${i.category}</td><td>${where(i)}</td><td>${i.severity}</td><td>${String(i.children)}</td><td>${i.assigneeId ? (agents.get(i.assigneeId)?.name ?? '—') : 'nobody'}</td><td>${when(i.firstTicketAt)}</td><td>${minutes(i.firstTicketAt, i.detectedAt)}</td><td>${i.status}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">No incidents here.</p>`;
  return page(
    c,
    html`<h1>Major incidents <small>${rows.length}</small></h1>
    <p class="muted">Several people reporting one problem within minutes become one incident: its tickets are out of the other queues, and resolving it resolves them all.</p>
    <div class="tabs" role="navigation" aria-label="Incidents">${tabs}</div>${table}`,
    { title: 'Major incidents', agent: me.agent, csrf: me.csrf },
  );
}

export interface IncidentPageData {
  incident: IncidentRow;
  children: LinkRow[];
  updates: UpdateRow[];
  agents: Map<number, AgentInfo>;
  /** Other open incidents (merge targets). */
  others: IncidentRow[];
}

function childrenTable(d: IncidentPageData, me: ConsoleIdentity, base: string) {
  const open = d.incident.status === 'open';
  if (!d.children.length) return html`<p class="empty">No tickets linked.</p>`;
  return html`<table class="children"><thead><tr><th>Ticket</th><th>Who</th><th>Centre</th><th>Via</th><th>Written</th><th>Linked</th>${open ? html`<th></th>` : ''}</tr></thead><tbody>
    ${d.children.map(
      (k) => html`<tr><td><a href="/console/tickets/${k.ticketRef}">${k.ticketRef}</a></td>
        <td>${k.requesterName ?? ''} &lt;${k.requesterEmail}&gt;</td><td>${k.devCenter ?? '—'}</td><td>${k.channel}</td>
        <td>${when(k.ticketCreatedAt)}</td><td>${k.how.replace('_', ' ')}${k.leftAt ? html` <span class="badge">left (reopened)</span>` : ''}</td>
        ${open && !k.leftAt ? html`<td><form method="post" action="${base}/unlink" class="inline">${csrfField(me.csrf)}<input type="hidden" name="ticket" value="${k.ticketRef}"><button type="submit" data-confirm="Unlink ${k.ticketRef}? It goes back to the pool as an ordinary ticket.">Unlink</button></form></td>` : open ? html`<td></td>` : ''}</tr>`,
    )}</tbody></table>`;
}

function actions(d: IncidentPageData, me: ConsoleIdentity, base: string) {
  if (d.incident.status !== 'open') return '';
  const people = new Set(d.children.filter((k) => !k.leftAt).map((k) => k.requesterEmail)).size;
  const form = (action: string, body: ReturnType<typeof html>, cls = '') =>
    html`<form method="post" action="${base}/${action}" class="${cls}">${csrfField(me.csrf)}${body}</form>`;
  return html`<section class="panel actions"><h2>Actions</h2>
    ${form('update', html`<label for="update">Update for the ${String(people)} affected ${people === 1 ? 'person' : 'people'} (one email each)</label><textarea id="update" name="text" rows="4" required></textarea><button type="submit">Send update</button>`)}
    ${form('resolve', html`<label for="resolution">Resolution (resolves every linked ticket; each requester gets it with the feedback buttons)</label><textarea id="resolution" name="resolution" rows="4" required></textarea><button type="submit" data-confirm="Resolve the incident and all its tickets?">Resolve incident</button>`)}
    ${form('link', html`<label for="link">Link a ticket by hand</label><input id="link" name="ticket" placeholder="IT-1042" required> <button type="submit">Link</button>`)}
    ${
      d.others.length
        ? form(
            'merge',
            html`<label for="into">Merge into another open incident</label><select id="into" name="into">${d.others.map((o) => html`<option value="${o.ref}">${o.ref} · ${o.title}</option>`)}</select> <button type="submit" data-confirm="Merge this incident into the chosen one?">Merge</button>`,
          )
        : ''
    }
    ${form('rename', html`<label for="title">Title (shown publicly in the widget and on the knowledge-base page)</label><input id="title" name="title" value="${d.incident.title}" maxlength="200" required> <button type="submit">Rename</button>`)}
  </section>`;
}

/** The incident view. */
export function incidentPage(c: Context, me: ConsoleIdentity, d: IncidentPageData, flash: PageOptions['flash']) {
  const i = d.incident;
  const base = `/console/incidents/${i.ref}`;
  const owner = i.assigneeId
    ? (d.agents.get(i.assigneeId)?.name ?? `#${i.assigneeId}`)
    : 'nobody (no one has the skill)';
  const merged = i.mergedIntoId
    ? html` into <a href="/console/incidents/MI-${String(i.mergedIntoId)}">MI-${String(i.mergedIntoId)}</a>`
    : '';
  const body = html`<h1>${i.ref} · ${i.title}</h1>
    <p class="meta"><span class="status">${i.status}</span>${merged} · ${i.category} · severity ${i.severity} · ${where(i)} · owner ${owner}
      · first ticket ${when(i.firstTicketAt)} · detected ${minutes(i.firstTicketAt, i.detectedAt)} later${i.resolvedAt ? html` · resolved ${when(i.resolvedAt)}` : ''}</p>
    ${i.resolution ? html`<section class="panel"><h2>Resolution</h2><pre class="text">${i.resolution}</pre></section>` : ''}
    <div class="ticket-grid"><div>
      <section class="panel"><h2>Tickets (${String(d.children.filter((k) => !k.leftAt).length)})</h2>${childrenTable(d, me, base)}</section>
      <section class="panel audit"><h2>Updates</h2><table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Sent to</th></tr></thead><tbody>
        ${d.updates.map((u) => html`<tr><td>${when(u.createdAt)}</td><td>${u.actor}</td><td><b>${u.kind}</b> <pre class="text">${u.text}</pre></td><td>${u.recipients ? `${u.recipients} people` : ''}</td></tr>`)}
      </tbody></table></section>
    </div><div>${actions(d, me, base)}</div></div>`;
  return page(c, body, { title: i.ref, agent: me.agent, csrf: me.csrf, flash });
}
