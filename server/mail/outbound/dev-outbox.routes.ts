/**
 * /dev/outbox: the mail the helpdesk sent (or would send), with working links — how a new user follows the whole
 * flow without an SMTP server. Without sign-in only when DEV_OUTBOX=true and no SMTP_URL is set (a demo on one
 * machine), and even then console sign-in mails stay hidden: whoever reads a sign-in link becomes that agent.
 * Admins (console session or the admin token) see everything.
 */
import { Hono, type Context } from 'hono';
import { Op } from 'sequelize';
import type { Models } from '../../db/models.js';
import { hasAdminToken } from '../../http/auth.js';
import { escapeHtml } from './render.js';

export interface DevOutboxDeps {
  models: Models;
  /** Open to anyone (DEV_OUTBOX=true without SMTP_URL); sign-in mails are still for admins only. */
  open: boolean;
  adminToken?: string;
  /** An admin console session. */
  authorize: (c: Context) => Promise<boolean>;
}

const page = (
  title: string,
  body: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1000px;padding:16px;color:#1f2328}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d8dce1;padding:6px 8px;text-align:left;vertical-align:top}
.muted{color:#57606a}iframe{width:100%;height:70vh;border:1px solid #d8dce1;border-radius:6px}pre{white-space:pre-wrap;background:#f6f8fa;padding:12px;border-radius:6px}
.s-queued{color:#9a6700}.s-sent{color:#1a7f37}.s-dead,.s-failed,.s-suppressed{color:#cf222e}</style></head><body>${body}</body></html>`;

export function devOutboxRoutes(d: DevOutboxDeps) {
  const app = new Hono();
  const isAdmin = async (c: Context) =>
    hasAdminToken(c.req.header('authorization'), d.adminToken) || (await d.authorize(c));
  app.use('*', async (c, next) => {
    if (d.open || (await isAdmin(c))) return next();
    return c.html(
      page('Not allowed', '<h1>Not allowed</h1><p>Sign in to the console as an admin to see the outbox.</p>'),
      403,
    );
  });
  /** Which mail this visitor may see: sign-in links only ever to admins. */
  const visible = async (c: Context) => ((await isAdmin(c)) ? {} : { kind: { [Op.ne]: 'magic_link' } });

  app.get('/', async (c) => {
    const to = c.req.query('to');
    const rows = await d.models.OutboxMail.findAll({
      where: { ...(to ? { toAddr: to.toLowerCase() } : {}), ...(await visible(c)) },
      order: [['id', 'DESC']],
      limit: 200,
      attributes: ['id', 'toAddr', 'subject', 'kind', 'status', 'attempts', 'createdAt', 'lastError'],
    });
    const list = rows
      .map(
        (
          m,
        ) => `<tr><td><a href="/dev/outbox/${m.id}">${escapeHtml(m.subject)}</a></td><td>${escapeHtml(m.toAddr)}</td><td>${escapeHtml(m.kind)}</td>
      <td class="s-${escapeHtml(m.status)}">${escapeHtml(m.status)}${m.lastError ? `<br><span class="muted">${escapeHtml(m.lastError)}</span>` : ''}</td><td class="muted">${m.createdAt.toISOString().replace('T', ' ').slice(0, 19)}</td></tr>`,
      )
      .join('');
    return c.html(
      page(
        'Dev outbox',
        `<h1>Dev outbox</h1><p class="muted">The last 200 emails, newest first. With no SMTP_URL set, nothing leaves this machine: open one to use its links.</p>
      <table><thead><tr><th>Subject</th><th>To</th><th>Kind</th><th>Status</th><th>Queued (UTC)</th></tr></thead><tbody>${list || '<tr><td colspan="5">No mail yet.</td></tr>'}</tbody></table>`,
      ),
    );
  });

  app.get('/:id', async (c) => {
    const m = await d.models.OutboxMail.findOne({
      where: { id: Number(c.req.param('id')) || 0, ...(await visible(c)) },
    });
    if (!m) return c.html(page('Not found', '<h1>No such email</h1><p><a href="/dev/outbox">Back</a></p>'), 404);
    const headers = Object.entries({
      To: m.toAddr,
      Subject: m.subject,
      'Message-ID': `<${m.emailMessageId}>`,
      ...m.headers,
    })
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join('');
    // The HTML is our own rendering, shown in a sandbox anyway; links open at the top level like in a mail client.
    const frame = m.html
      ? `<iframe sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" srcdoc="${escapeHtml(m.html.replace(/<a /g, '<a target="_top" '))}" title="Email body"></iframe>`
      : '';
    return c.html(
      page(
        m.subject,
        `<p><a href="/dev/outbox">← Dev outbox</a></p><h1>${escapeHtml(m.subject)}</h1><table>${headers}</table><h2>HTML</h2>${frame}<h2>Text</h2><pre>${escapeHtml(m.text)}</pre>`,
      ),
    );
  });
  return app;
}
