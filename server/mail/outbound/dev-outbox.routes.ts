/**
 * /dev/outbox: the mail the helpdesk sent (or would send), with working links — how a new user follows the whole
 * flow without an SMTP server. Without sign-in only when DEV_OUTBOX=true and no SMTP_URL is set (a demo on one
 * machine), and even then console sign-in mails stay hidden: whoever reads a sign-in link becomes that agent.
 * Admins (console session or the admin token) see everything.
 */
import { type Context, Hono } from 'hono';
import { hasAdminToken } from '../../http/auth.js';
import { escapeHtml, html, raw, type Html } from '../../http/html.js';
import type { Outbox } from './outbox.js';
import { parseId } from '../../http/ids.js';

export interface DevOutboxDeps {
  outbox: Outbox;
  /** Open to anyone (DEV_OUTBOX=true without SMTP_URL); sign-in mails are still for admins only. */
  open: boolean;
  adminToken?: string;
  /** An admin console session. */
  authorize: (c: Context) => Promise<boolean>;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1000px;padding:16px;color:#1f2328}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d8dce1;padding:6px 8px;text-align:left;vertical-align:top}
.muted{color:#57606a}iframe{width:100%;height:70vh;border:1px solid #d8dce1;border-radius:6px}
pre{white-space:pre-wrap;background:#f6f8fa;padding:12px;border-radius:6px}
.s-queued{color:#9a6700}.s-sent{color:#1a7f37}.s-dead,.s-failed,.s-suppressed{color:#cf222e}`;

const page = (title: string, body: Html) =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title}</title><style>${raw(STYLE)}</style></head><body>${body}</body></html>`.toString();

// The email HTML is our own rendering, shown in a sandboxed frame with no script; links open at the top level.
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

export function devOutboxRoutes(d: DevOutboxDeps) {
  const app = new Hono();
  const isAdmin = async (c: Context) =>
    hasAdminToken(c.req.header('authorization'), d.adminToken) || (await d.authorize(c));
  app.use('*', async (c, next) => {
    c.header('Content-Security-Policy', CSP);
    c.header('Cache-Control', 'no-store');
    if (d.open || (await isAdmin(c))) return next();
    const body = html`<h1>Not allowed</h1><p>Sign in to the console as an admin to see the outbox.</p>`;
    return c.html(page('Not allowed', body), 403);
  });

  app.get('/', async (c) => {
    const to = c.req.query('to');
    const rows = await d.outbox.recent({ to: to?.toLowerCase(), withSignIn: await isAdmin(c), limit: 200 });
    const list = rows.map(
      (m) => html`<tr><td><a href="/dev/outbox/${m.id}">${m.subject}</a></td><td>${m.toAddr}</td><td>${m.kind}</td>
      <td class="s-${m.status}">${m.status}${m.lastError ? html`<br><span class="muted">${m.lastError}</span>` : ''}</td>
      <td class="muted">${m.createdAt.toISOString().replace('T', ' ').slice(0, 19)}</td></tr>`,
    );
    const body = html`<h1>Dev outbox</h1><p class="muted">The last 200 emails, newest first. With no SMTP_URL set, nothing
leaves this machine: open one to use its links.</p>
<table><thead><tr><th>Subject</th><th>To</th><th>Kind</th><th>Status</th><th>Queued (UTC)</th></tr></thead>
<tbody>${rows.length ? list : html`<tr><td colspan="5">No mail yet.</td></tr>`}</tbody></table>`;
    return c.html(page('Dev outbox', body));
  });

  app.get('/:id{[0-9]+}', async (c) => {
    const id = parseId(c.req.param('id'));
    const m = id === null ? null : await d.outbox.one(id, { withSignIn: await isAdmin(c) });
    if (!m) return c.html(page('Not found', html`<h1>No such email</h1><p><a href="/dev/outbox">Back</a></p>`), 404);
    const headers = Object.entries({
      To: m.toAddr,
      Subject: m.subject,
      'Message-ID': `<${m.emailMessageId}>`,
      ...m.headers,
    });
    const frame = m.html
      ? raw(
          `<iframe sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" srcdoc="${escapeHtml(
            m.html.replace(/<a /g, '<a target="_top" '),
          )}" title="Email body"></iframe>`,
        )
      : '';
    const body = html`<p><a href="/dev/outbox">← Dev outbox</a></p><h1>${m.subject}</h1>
<table>${headers.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>
<h2>HTML</h2>${frame}<h2>Text</h2><pre>${m.text}</pre>`;
    return c.html(page(m.subject, body));
  });
  return app;
}
