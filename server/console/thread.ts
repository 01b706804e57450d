/**
 * Renders a ticket's thread. The plain `text` (what the author newly wrote) is shown first; the quoted history
 * (`fullText`) and the email's own HTML sit in collapsed <details>. Email HTML goes through sanitize-html with a
 * short allow-list: no script, no event handlers, no style, no remote images (they would be tracking pixels),
 * no forms or frames. The page's CSP is a second wall should anything slip through.
 */
import sanitizeHtml from 'sanitize-html';
import type { AgentInfo } from '../agents/agents.js';
import type { AttachmentRow, MessageRow } from '../tickets/reads.js';
import { html, raw, type Html } from '../http/html.js';
import { csrfField, when } from './html.js';

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'div',
    'span',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'small',
    'sub',
    'sup',
    'blockquote',
    'pre',
    'code',
    'hr',
    'ul',
    'ol',
    'li',
    'dl',
    'dt',
    'dd',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'caption',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data'] },
  allowProtocolRelative: false,
  // Only inline data: images survive; a relative src would make the console fetch its own URLs.
  exclusiveFilter: (frame) => frame.tag === 'img' && !/^data:image\//i.test(frame.attribs.src ?? ''),
  // Dropped together with their content: nothing from a <script> or <style> should show up as text.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head'],
  transformTags: {
    // Links open outside the console and do not tell the target where they came from.
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
  },
};

/** Email HTML made safe to show inside the console. */
export const sanitizeEmailHtml = (dirty: string) => sanitizeHtml(dirty, SANITIZE);

/** Image types a browser shows without risk (no SVG: it can carry script). */
const INLINE_IMAGE = /^image\/(png|jpe?g|gif|webp)$/i;

/**
 * Inline images (`<img src="cid:…">`, RFC 2392) point at the message's own attachments: they are resolved to
 * data: URIs before sanitizing, so they show while remote images stay blocked. Big ones are left out.
 */
export function resolveCid(
  html: string,
  attachments: Pick<AttachmentRow, 'contentId' | 'contentType' | 'content'>[],
): string {
  const byCid = new Map(
    attachments
      .filter(
        (a) => a.contentId && a.content && INLINE_IMAGE.test(a.contentType) && a.content.length <= 2 * 1024 * 1024,
      )
      .map((a) => [a.contentId!.replace(/^<|>$/g, '').toLowerCase(), a]),
  );
  if (!byCid.size) return html;
  return html.replace(/(["'])cid:([^"']+)\1/gi, (whole, q: string, cid: string) => {
    const a = byCid.get(decodeURIComponent(cid).toLowerCase());
    return a ? `${q}data:${a.contentType.toLowerCase()};base64,${a.content!.toString('base64')}${q}` : whole;
  });
}

const AUTHOR: Record<MessageRow['authorKind'], string> = {
  requester: 'Requester',
  agent: 'IT team',
  ai: 'AI agent',
  system: 'System',
};

const size = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;

function attachments(list: readonly AttachmentRow[] | undefined) {
  if (!list?.length) return '';
  return html`<ul class="attachments">${list.map((a) => html`<li><a href="/console/attachments/${String(a.id)}" download>${a.filename}</a> <small>${a.contentType}, ${size(a.size)}${a.inline ? ', inline' : ''}</small></li>`)}</ul>`;
}

/** Lets the signed-in agent confirm their own email replies that wait for it (see tickets' confirmEmailReply). */
export interface ConfirmOptions {
  agentId: number;
  csrf: string;
  /** The ticket's console URL; the form posts to `${base}/confirm`. */
  base: string;
}

/** The note that an email reply waits for its agent, with the confirm button for that agent. */
function pending(m: MessageRow, confirm: ConfirmOptions | undefined) {
  if (!m.pendingConfirmation) return '';
  const mine = confirm && m.authorAgentId === confirm.agentId;
  const form = mine
    ? html`<form method="post" action="${confirm.base}/confirm" class="inline">${csrfField(confirm.csrf)}<input type="hidden" name="message" value="${String(m.id)}"><button type="submit">Yes, I wrote this: send it to the requester</button></form>`
    : '';
  return html`<p class="pending" role="note"><span class="badge">waiting for confirmation</span> This came by email as this agent but is not proven to be theirs (no reply token or DMARC pass). Nothing was sent. ${form}</p>`;
}

/** One message as an <article> (the caller has resolved the cid: images of m.html with resolveCid). */
function message(m: MessageRow, agents: Map<number, AgentInfo>, confirm?: ConfirmOptions): Html {
  const who = m.authorAgentId ? agents.get(m.authorAgentId)?.name : null;
  // A requester-kind internal note is mail from someone who is not the requester (it never reached them).
  const outsider = m.authorKind === 'requester' && m.internal;
  const author = outsider
    ? html`Email from someone else (not the requester) · ${m.authorEmail ?? 'unknown'}`
    : html`${AUTHOR[m.authorKind]}${who ? html` · ${who}` : ''}${m.authorEmail && m.authorKind === 'requester' ? html` · ${m.authorEmail}` : ''}`;
  const history =
    m.fullText && m.fullText.trim() !== m.text.trim()
      ? html`<details class="history"><summary>Show quoted history</summary><pre class="text">${m.fullText}</pre></details>`
      : '';
  const formatted = m.html
    ? html`<details class="email-html"><summary>Show the formatted email</summary><div class="html-body">${raw(sanitizeEmailHtml(m.html))}</div></details>`
    : '';
  return html`<article class="msg ${m.authorKind}${m.internal ? ' internal' : ''}" id="m${String(m.id)}">
    <header><b>${author}</b>${m.internal ? html` <span class="badge">internal note</span>` : ''} <span class="muted">${when(m.createdAt)}</span></header>
    ${pending(m, confirm)}<pre class="text">${m.text}</pre>${history}${formatted}${attachments(m.attachments)}</article>`;
}

/** The whole thread, oldest first. */
export function threadHtml(
  messages: readonly MessageRow[],
  agents: Map<number, AgentInfo>,
  confirm?: ConfirmOptions,
): Html {
  return html`<section class="thread" aria-label="Conversation">${messages.map((m) => message(m, agents, confirm))}</section>`;
}
