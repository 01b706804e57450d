/** The requester pages' markup (behind the email links), on the server's one renderer. Usable without script. */
import { FEEDBACK_FACES } from '../domain/vocabulary.js';
import { html, raw, type Html } from '../http/html.js';

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #57606a; --bg: #f4f5f7; --card: #fff; --line: #d8dce1; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --card: #161b22; --line: #30363d; --accent: #58a6ff; } }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; }
main { max-width: 680px; margin: 0 auto; padding: 24px 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 24px; margin-bottom: 16px; }
h1 { font-size: 1.35rem; margin: 0 0 8px; } h2 { font-size: 1.05rem; margin: 0 0 12px; }
.muted { color: var(--muted); font-size: .9rem; }
.flash { border-left: 4px solid var(--accent); padding: 10px 14px; background: var(--card); margin-bottom: 16px; border-radius: 6px; }
.msg { border-top: 1px solid var(--line); padding: 12px 0; white-space: pre-line; }
.msg b { display: block; font-size: .9rem; }
button, .btn { font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 10px 18px; cursor: pointer;
  font-weight: 600; text-decoration: none; display: inline-block; }
button.secondary { background: transparent; color: var(--accent); border: 1px solid var(--accent); }
button:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
textarea { width: 100%; box-sizing: border-box; min-height: 110px; font: inherit; padding: 8px; border: 1px solid var(--line);
  border-radius: 6px; background: var(--card); color: var(--fg); }
.emoji { font-size: 1.8rem; background: transparent; border: 2px solid transparent; padding: 4px 8px; color: inherit; }
.emoji[aria-pressed="true"] { border-color: var(--accent); }
.row { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
label { font-weight: 600; display: block; margin-bottom: 6px; }`;

/** The page around some content (no script: these pages must work, and do nothing, without it). */
export function layout(title: string, content: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>${title} · IT Helpdesk</title><style>${raw(STYLE)}</style></head>
<body><main>${content}
<p class="muted">IT Helpdesk · this page is private to you; please do not forward its link.</p></main></body></html>`;
}

/** A one-card message (errors, "already closed"), with an optional link back to the ticket. */
export function messageCard(heading: string, text: string, link?: string): Html {
  return html`<div class="card"><h1>${heading}</h1><p>${text}</p>${link ? html`<p><a class="btn" href="${link}">Open the ticket</a></p>` : ''}</div>`;
}

const AUTHOR: Record<string, string> = {
  requester: 'You',
  agent: 'IT team',
  ai: 'AI assistant',
  system: 'IT Helpdesk',
};

/** The conversation, oldest first. */
export function thread(messages: { authorKind: string; text: string; createdAt: Date }[]): Html {
  return html`${messages.map((m) => {
    const at = new Date(m.createdAt);
    return html`<div class="msg"><b>${AUTHOR[m.authorKind] ?? 'IT'} · <time datetime="${at.toISOString()}">${at.toUTCString().slice(5, 22)} UTC</time></b>${m.text}</div>`;
  })}`;
}

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

/** The ticket page: status, thread, comment form, close or reopen, feedback. */
export function ticketPage(v: {
  ref: string | null;
  subject: string;
  statusLabel: string;
  assignee: string | null;
  flash: string | null;
  messages: { authorKind: string; text: string; createdAt: Date }[];
  open: boolean;
  /** The article the acknowledgment suggested, while the ticket is open ("This solved it" resolves it). */
  suggestion?: { title: string; resolution: string } | null;
  score: number;
  base: string;
  csrf: string;
}): Html {
  const s = v.suggestion;
  const suggested = s
    ? html`<form class="card" method="post" action="${v.base}/solved">${csrfField(v.csrf)}<h2>While you wait: this usually fixes it</h2>
<p><b>${s.title}</b></p>${s.resolution ? html`<div class="msg">${s.resolution}</div>` : ''}
<p><button type="submit">This solved it</button></p><p class="muted">The ticket is then resolved; nobody needs to pick it up.</p></form>`
    : '';
  const faces = FEEDBACK_FACES.map(
    (face, i) =>
      html`<button class="emoji" name="score" value="${i + 1}" aria-pressed="${String(v.score === i + 1)}" aria-label="Rate ${i + 1} of 5">${face}</button>`,
  );
  const lifecycle = v.open
    ? html`<form class="card" method="post" action="${v.base}/close">${csrfField(v.csrf)}<h2>Solved?</h2><button type="submit">Close the ticket</button></form>`
    : html`<form class="card" method="post" action="${v.base}/reopen">${csrfField(v.csrf)}<h2>Not fixed?</h2><button class="secondary" type="submit">Reopen the ticket</button></form>`;
  return html`${v.flash ? html`<div class="flash" role="status">${v.flash}</div>` : ''}
<div class="card"><p class="muted">${v.ref} · ${v.statusLabel}${v.assignee ? ` · with ${v.assignee}` : ''}</p><h1>${v.subject}</h1>
<section aria-label="Conversation">${thread(v.messages)}</section></div>
${suggested}
<form class="card" method="post" action="${v.base}/comment" id="comment">${csrfField(v.csrf)}<h2><label for="text">Add a comment</label></h2>
<textarea id="text" name="text" required maxlength="20000"></textarea><p><button type="submit">Send comment</button></p></form>
${lifecycle}
<form class="card" method="post" action="${v.base}/feedback">${csrfField(v.csrf)}<h2 id="fb">How did we do?</h2>
<div class="row" role="group" aria-labelledby="fb">${faces}</div>
<label for="fbc" style="margin-top:12px">Anything to add? (optional)</label><textarea id="fbc" name="comment" maxlength="2000"></textarea></form>`;
}

/**
 * The page a GET on an emoji link shows. `recorded`: the score was taken (provisionally); the page says which
 * face and offers to change it or add a comment. Otherwise (the fetch looked like a mail scanner's) nothing was
 * recorded and the page asks for one press, without thanking for anything.
 */
export function feedbackCard(v: { ref: string | null; score: number; recorded: boolean; base: string; csrf: string }) {
  const face = FEEDBACK_FACES[v.score - 1] ?? '';
  const faces = FEEDBACK_FACES.map(
    (f, i) =>
      html`<button class="emoji" name="score" value="${i + 1}" aria-pressed="${String(v.recorded && v.score === i + 1)}" aria-label="Rate ${i + 1} of 5">${f}</button>`,
  );
  const heading = v.recorded ? `You chose ${face} ${v.score} of 5 for ${v.ref}` : `How did we do on ${v.ref}?`;
  const lead = v.recorded
    ? html`<p role="status">Recorded: ${face} ${v.score} of 5. Pressed the wrong face? Choose another. Anything to add? Write it below.</p>`
    : html`<p>Nothing is recorded yet. Press the button to send your rating.</p>
<p><button type="submit" name="score" value="${v.score}" autofocus>Send ${face} ${v.score} of 5</button></p>`;
  return html`<div class="card"><p class="muted">${v.ref}</p><h1>${heading}</h1>
<form method="post" action="${v.base}/feedback">${csrfField(v.csrf)}<input type="hidden" name="score" value="${v.score}">${lead}
<div class="row" role="group" aria-label="${v.recorded ? 'Change your rating' : 'Or choose another face'}">${faces}</div>
<label for="fbc" style="margin-top:12px">Anything to add? (optional)</label><textarea id="fbc" name="comment" maxlength="2000"></textarea>
<p><button type="submit" class="secondary">${v.recorded ? 'Send comment' : `Send ${face} ${v.score} of 5 with comment`}</button></p></form>
<p class="muted" style="margin-top:16px"><a href="${v.base}">Back to the ticket</a></p></div>`;
}

/** The page a GET on a close or reopen link shows: one focused button that POSTs the action. */
export function confirmCard(v: {
  ref: string | null;
  heading: string;
  text: string;
  button: string;
  action: string;
  csrf: string;
  viewUrl: string;
}): Html {
  return html`<div class="card"><p class="muted">${v.ref}</p><h1>${v.heading}</h1><p>${v.text}</p>
<form id="hd-confirm" method="post" action="${v.action}">${csrfField(v.csrf)}<button type="submit" autofocus>${v.button}</button></form>
<p class="muted" style="margin-top:16px"><a href="${v.viewUrl}">Back to the ticket</a></p></div>`;
}
