/**
 * The shared email layout. Styles are inline on every element (Outlook and Gmail drop or rewrite <style>); the
 * <style> block only carries the dark-mode overrides, which need a media query and so cannot be inline.
 */
import { html, raw, type Html } from '../../../http/html.js';
import { replyAboveMarkerHtml } from '../../reply-marker.js';

const FONT = "-apple-system, 'Segoe UI', Roboto, Arial, sans-serif";

/** Inline styles, one per kind of element. */
export const S = {
  body: `margin:0;padding:0;background:#f4f5f7;font-family:${FONT};color:#1f2328`,
  wrap: 'max-width:600px;margin:0 auto;padding:24px 16px',
  card: 'background:#ffffff;border:1px solid #d8dce1;border-radius:8px;padding:24px',
  ref: 'color:#57606a;font-size:13px;margin:0 0 12px 0',
  h1: 'font-size:20px;margin:0 0 16px 0;color:#1f2328',
  p: 'font-size:15px;line-height:1.5;margin:0 0 12px 0',
  answer:
    'white-space:pre-line;background:#f6f8fa;border-left:3px solid #0969da;padding:12px 16px;font-size:15px;' +
    'line-height:1.5;color:#1f2328',
  btn:
    'display:inline-block;background:#0969da;color:#ffffff;text-decoration:none;padding:10px 16px;' +
    'border-radius:6px;font-weight:600;font-size:15px',
  link: 'display:inline-block;color:#0969da;text-decoration:underline;padding:10px 4px;font-size:15px',
  emoji: 'display:inline-block;font-size:28px;text-decoration:none;padding:4px 8px',
  muted: 'color:#57606a;font-size:13px;line-height:1.5;margin:0 0 12px 0',
} as const;

const DARK = `@media (prefers-color-scheme: dark) {
  body, .bg { background: #0d1117 !important; color: #e6edf3 !important; }
  .card { background: #161b22 !important; border-color: #30363d !important; }
  h1, p, .answer { color: #e6edf3 !important; }
  .answer { background: #0d1117 !important; border-left-color: #58a6ff !important; }
  .muted, .ref { color: #8b949e !important; }
  .link { color: #58a6ff !important; }
}`;

export const h1 = (text: unknown) => html`<h1 style="${S.h1}">${text}</h1>`;
export const p = (content: unknown, style: string = S.p) => html`<p style="${style}">${content}</p>`;
export const muted = (content: unknown) => html`<p class="muted" style="${S.muted}">${content}</p>`;
/** A block of free text (an answer, a resolution, a ticket description): line breaks kept, never markup. */
export const block = (text: unknown) => html`<div class="answer" style="${S.answer}">${text}</div>`;
export const button = (href: string, label: string) => html`<a href="${href}" style="${S.btn}">${label}</a>`;
export const link = (href: string, label: string) =>
  html`<a class="link" href="${href}" style="${S.link}">${label}</a>`;

/** The whole message around one kind's content. */
export function layout(o: {
  ref: string | null;
  subject: string;
  content: Html;
  footer?: string;
  replyAbove?: string | null;
}): Html {
  const ref = o.ref ?? '';
  const footer = o.footer ?? `You receive this because of your IT request ${ref}. Reply to this email to add to it.`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>${o.subject}</title><style>${raw(DARK)}</style></head>
<body class="bg" style="${S.body}">${o.replyAbove !== undefined ? raw(replyAboveMarkerHtml(o.replyAbove)) : ''}<div style="${S.wrap}"><div class="card" style="${S.card}">
<p class="ref" style="${S.ref}">${ref ? `${ref} · ` : ''}IT Helpdesk</p>
${o.content}
</div>
${muted(footer)}
</div></body></html>`;
}
