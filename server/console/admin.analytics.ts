/**
 * Admin: read-only analytics links — who got one, when it was last used, and revoking it (its open streams close at
 * once). A new link's URL is shown once, right after it is made: only its hash is kept.
 */
import { Hono, type Context } from 'hono';
import type { AnalyticsLinks, LinkRow } from '../analytics/links.js';
import { html } from '../http/html.js';
import { requireId } from '../http/ids.js';
import type { Logger } from '../log.js';
import { identityOf, type ConsoleAuth, type ConsoleIdentity } from './auth.js';
import { csrfField, page, when } from './html.js';

const FLASH: Record<string, { kind: 'ok' | 'error'; text: string }> = {
  revoked: { kind: 'ok', text: 'Revoked: the link no longer opens analytics, and its open pages stopped updating.' },
  nothing: { kind: 'error', text: 'That link was already revoked or does not exist.' },
};
const BASE = '/console/admin/analytics-links';

function linkRow(l: LinkRow, me: ConsoleIdentity) {
  const revoke =
    l.state === 'active'
      ? html`<form method="post" action="${BASE}/${String(l.id)}/revoke" class="inline">${csrfField(me.csrf)}<button type="submit">Revoke</button></form>`
      : '';
  return html`<tr><td>${String(l.id)}</td><td>${l.label}</td><td>${l.createdBy}</td><td>${when(l.createdAt)}</td>
    <td>${when(l.expiresAt)}</td><td>${when(l.lastUsedAt)}</td>
    <td>${l.state}${l.revokedBy ? html`<br><small>by ${l.revokedBy}</small>` : ''}</td><td>${revoke}</td></tr>`;
}

/** Routes mounted under /admin/analytics-links (admin role only). */
export function adminAnalyticsRoutes(d: { auth: ConsoleAuth; links: AnalyticsLinks; publicUrl: string; log: Logger }) {
  const app = new Hono();

  const listPage = async (c: Context, created?: string) => {
    const me = await identityOf(d.auth, c);
    const links = await d.links.list();
    const fresh = created
      ? html`<div class="flash ok" role="status"><p>New link (shown only now; copy it):</p><p><input readonly size="80" value="${created}" aria-label="New analytics link"></p></div>`
      : '';
    const body = html`<h1>Analytics links</h1>
      <p class="muted">Read-only links to the analytics page for people without a console account. They show the figures,
      never the per-ticket export.</p>${fresh}
      ${
        links.length
          ? html`<table><thead><tr><th>#</th><th>For</th><th>Made by</th><th>Made</th><th>Expires</th><th>Last used</th><th>State</th><th></th></tr></thead>
      <tbody>${links.map((l) => linkRow(l, me))}</tbody></table>`
          : html`<p class="empty">No links yet.</p>`
      }
      <h2>New link</h2><form method="post" action="${BASE}">${csrfField(me.csrf)}
        <label>For whom <input name="label" required maxlength="200"></label>
        <label>Valid for (days) <input type="number" name="days" min="1" max="90" value="30"></label>
        <button type="submit">Make link</button></form>`;
    return page(c, body, {
      title: 'Analytics links',
      agent: me.agent,
      csrf: me.csrf,
      flash: FLASH[c.req.query('m') ?? ''] ?? null,
    });
  };

  app.get('/', (c) => listPage(c));

  app.post('/', async (c) => {
    const me = await identityOf(d.auth, c);
    const f = await c.req.parseBody();
    const link = await d.links.create({
      label: String(f.label ?? ''),
      days: Number(f.days ?? 30),
      createdBy: `${me.agent.name} (#${me.agent.id})`,
    });
    d.log.info({ linkId: link.id, by: me.agent.id, days: link.days }, 'analytics link made in the console');
    // Rendered in the POST's answer, not a redirect: the token must not sit in a URL or the history.
    c.header('Referrer-Policy', 'no-referrer');
    return listPage(c, `${d.publicUrl}/analytics?token=${encodeURIComponent(link.token)}`);
  });

  app.post('/:id/revoke', async (c) => {
    const me = await identityOf(d.auth, c);
    const id = requireId(c.req.param('id'), 'No such analytics link.');
    const ok = await d.links.revoke(id, `${me.agent.name} (#${me.agent.id})`);
    if (ok) d.log.info({ linkId: id, by: me.agent.id }, 'analytics link revoked');
    return c.redirect(`${BASE}?m=${ok ? 'revoked' : 'nothing'}`, 303);
  });

  return app;
}
