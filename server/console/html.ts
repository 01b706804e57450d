/** The console's page layout and small markup helpers, on the server's one renderer (http/html.ts). */
import type { Context } from 'hono';
import { html, raw, type Html } from '../http/html.js';

/**
 * No inline script or style at all: the page's script and stylesheet come from /console/assets, so an HTML
 * injection that slipped past escaping still could not run anything.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface PageOptions {
  title: string;
  agent?: { name: string; role: string } | null;
  csrf?: string | null;
  status?: number;
  /** A one-line notice at the top (from a fixed table; never echoed from the URL). */
  flash?: { kind: 'ok' | 'error'; text: string } | null;
}

/** Renders a full console page with the strict CSP and no caching (pages show ticket data). */
export function page(c: Context, body: Html, o: PageOptions) {
  const nav = o.agent
    ? html`<nav><a href="/console">Queues</a> <a href="/console/incidents">Incidents</a> <a href="/console/kb">Knowledge base</a>
      ${o.agent.role === 'admin' ? html`<a href="/console/admin/agents">Agents</a> <a href="/console/admin/outbox">Outbox</a> <a href="/console/admin/inbound">Failed emails</a> <a href="/console/admin/analytics-links">Analytics links</a>` : ''}
      ${o.agent.role !== 'agent' ? html`<a href="/analytics">Analytics</a>` : ''}
      <span class="me">${o.agent.name} (${o.agent.role})</span>
      <form method="post" action="/console/logout" class="inline">${csrfField(o.csrf)}<button type="submit">Sign out</button></form></nav>`
    : '';
  const flash = o.flash ? html`<p class="flash ${o.flash.kind}" role="status">${o.flash.text}</p>` : '';
  const doc = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · IT Helpdesk console</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/console/assets/console.css">
${o.csrf ? html`<meta name="csrf-token" content="${o.csrf}">` : ''}<script src="/console/assets/console.js" defer></script></head>
<body><header><a class="brand" href="/console">IT Helpdesk</a>${nav}</header><main>${flash}${body}</main></body></html>`;
  c.header('Content-Security-Policy', CONSOLE_CSP);
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'same-origin');
  return c.html(doc.toString(), (o.status ?? 200) as 200);
}

/** The hidden CSRF field every console form carries. */
export const csrfField = (token: string | null | undefined) =>
  token ? html`<input type="hidden" name="_csrf" value="${token}">` : '';

/** `<option>`s with the current value selected. */
export const options = (values: readonly string[], current: string | null | undefined, blank?: string) =>
  html`${blank !== undefined ? html`<option value="">${blank}</option>` : ''}${values.map((v) => html`<option value="${v}"${v === current ? raw(' selected') : ''}>${v}</option>`)}`;

/** A readable UTC timestamp. */
export const when = (d: Date | string | null | undefined) =>
  d
    ? html`<time datetime="${new Date(d).toISOString()}">${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`
    : '—';
