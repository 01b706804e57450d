/**
 * Admin: mail that did not go through. The outbox (status, attempts, last error; retry or discard) and inbound
 * emails that failed processing (retry puts them back to 'received' for the recovery job; discard marks them
 * 'ignored'). The raw email is never rendered, only a few header values as text.
 */
import { Hono } from 'hono';
import type { InboundEmail, OutboxMail } from '../db/models.js';
import type { Intake } from '../mail/inbound/intake.js';
import type { Logger } from '../log.js';
import type { Outbox } from '../mail/outbound/outbox.js';
import { identityOf, type ConsoleAuth, type ConsoleIdentity } from './auth.js';
import { html } from '../http/html.js';
import { csrfField, options, page, when } from './html.js';
import { requireId } from '../http/ids.js';

const OUTBOX_STATUSES = ['problems', 'queued', 'sent', 'failed', 'dead', 'suppressed', 'all'] as const;
const FLASH: Record<string, { kind: 'ok' | 'error'; text: string }> = {
  retried: { kind: 'ok', text: 'Queued again.' },
  discarded: { kind: 'ok', text: 'Discarded.' },
  nothing: { kind: 'error', text: 'Nothing to do: it was not in a state that allows this.' },
};

/** The first Subject/From header values of a raw email, for a readable list (unfolded, cut short). */
export function headerPeek(raw: Buffer | null, name: string): string {
  const head = (raw ?? Buffer.alloc(0))
    .subarray(0, 16_384)
    .toString('latin1')
    .split(/\r?\n\r?\n/)[0]!;
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return m?.[1] ? m[1].replace(/\r?\n[ \t]+/g, ' ').slice(0, 200) : '';
}

const button = (me: ConsoleIdentity, action: string, label: string) =>
  html`<form method="post" action="${action}" class="inline">${csrfField(me.csrf)}<button type="submit">${label}</button></form>`;

function outboxRow(m: OutboxMail, me: ConsoleIdentity) {
  const id = String(m.id);
  return html`<tr><td>${id}</td><td>${m.kind}</td><td>${m.toAddr}</td><td>${m.subject}</td><td>${m.status}</td><td>${String(m.attempts)}</td>
    <td class="err">${m.lastError ?? ''}</td><td>${when(m.createdAt)}</td><td>
    ${m.status !== 'sent' && m.status !== 'queued' ? button(me, `/console/admin/outbox/${id}/retry`, 'Retry') : ''}
    ${m.status === 'queued' || m.status === 'failed' || m.status === 'dead' ? button(me, `/console/admin/outbox/${id}/discard`, 'Discard') : ''}</td></tr>`;
}

function inboundRow(e: InboundEmail, me: ConsoleIdentity) {
  const id = String(e.id);
  return html`<tr><td>${id}</td><td>${headerPeek(e.raw, 'From')}</td><td>${headerPeek(e.raw, 'Subject')}</td><td>${e.source}</td><td>${String(e.size)}</td>
    <td class="err">${e.reason ?? ''}</td><td>${String(e.attempts)}</td><td>${when(e.createdAt)}</td>
    <td>${button(me, `/console/admin/inbound/${id}/retry`, 'Retry')} ${button(me, `/console/admin/inbound/${id}/discard`, 'Discard')}</td></tr>`;
}

/** Outbox and failed-inbound routes (mounted under /admin, admin role only). */
export function adminMailRoutes(d: { auth: ConsoleAuth; outbox: Outbox; intake: Intake; log: Logger }) {
  const app = new Hono();
  const flash = (m: string | undefined) => FLASH[m ?? ''] ?? null;

  app.get('/outbox', async (c) => {
    const me = await identityOf(d.auth, c);
    const st = (OUTBOX_STATUSES as readonly string[]).includes(c.req.query('status') ?? '')
      ? c.req.query('status')!
      : 'problems';
    const [rows, depth] = await Promise.all([
      d.outbox.byStatus(st as OutboxMail['status'] | 'problems' | 'all'),
      d.outbox.depth(),
    ]);
    const body = html`<h1>Outbox <small>${String(depth)} queued</small></h1>
      <form method="get" class="filters" data-autosubmit><label>Show <select name="status">${options(OUTBOX_STATUSES, st)}</select></label> <button type="submit">Show</button></form>
      ${
        rows.length
          ? html`<table><thead><tr><th>#</th><th>Kind</th><th>To</th><th>Subject</th><th>Status</th><th>Attempts</th><th>Last error</th><th>Created</th><th></th></tr></thead>
      <tbody>${rows.map((m) => outboxRow(m, me))}</tbody></table>`
          : html`<p class="empty">Nothing here.</p>`
      }`;
    return page(c, body, { title: 'Outbox', agent: me.agent, csrf: me.csrf, flash: flash(c.req.query('m')) });
  });

  app.post('/outbox/:id/retry', async (c) => {
    const ok = await d.outbox.retry(requireId(c.req.param('id'), 'No such mail.'));
    return c.redirect(`/console/admin/outbox?m=${ok ? 'retried' : 'nothing'}`, 303);
  });

  // Suppressed (not deleted): the row stays as a record, and Retry can still bring it back.
  app.post('/outbox/:id/discard', async (c) => {
    const me = await identityOf(d.auth, c);
    const n = await d.outbox.discard(requireId(c.req.param('id'), 'No such mail.'), me.agent.name);
    if (n) d.log.info({ outboxId: c.req.param('id'), by: me.agent.id }, 'outbox mail discarded');
    return c.redirect(`/console/admin/outbox?m=${n ? 'discarded' : 'nothing'}`, 303);
  });

  app.get('/inbound', async (c) => {
    const me = await identityOf(d.auth, c);
    const rows = await d.intake.failed(200);
    const body = html`<h1>Failed and quarantined emails <small>${String(rows.length)}</small></h1>
      <p class="muted">Retry hands an email back to intake (the recovery job picks it up within a minute); Discard marks it ignored.</p>
      ${
        rows.length
          ? html`<table><thead><tr><th>#</th><th>From</th><th>Subject</th><th>Source</th><th>Bytes</th><th>Reason</th><th>Attempts</th><th>Received</th><th></th></tr></thead>
      <tbody>${rows.map((e) => inboundRow(e, me))}</tbody></table>`
          : html`<p class="empty">No failed emails.</p>`
      }`;
    return page(c, body, { title: 'Failed emails', agent: me.agent, csrf: me.csrf, flash: flash(c.req.query('m')) });
  });

  app.post('/inbound/:id/:action{retry|discard}', async (c) => {
    const me = await identityOf(d.auth, c);
    const retry = c.req.param('action') === 'retry';
    const id = requireId(c.req.param('id'), 'No such email.');
    const n = retry ? await d.intake.requeue(id) : await d.intake.discard(id, me.agent.name);
    if (n) d.log.info({ inboundId: c.req.param('id'), by: me.agent.id, retry }, 'failed email handled in the console');
    return c.redirect(`/console/admin/inbound?m=${n ? (retry ? 'retried' : 'discarded') : 'nothing'}`, 303);
  });

  return app;
}
