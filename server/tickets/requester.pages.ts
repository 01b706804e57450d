/**
 * The server-rendered requester page behind the email links (`/t/<token>…`), usable without JavaScript.
 *
 * Mail scanners (Safe Links, Mimecast, Proofpoint, Barracuda…) fetch every link of a message, often within
 * seconds of delivery, and some run script in headless browsers. So a GET never changes anything: close,
 * reopen and feedback links render a confirmation page whose form POSTs the action. In a real browser a
 * small nonce'd inline script submits that form at once (one click for the person); known scanners, HEAD
 * requests and automation-driven browsers get the page without it, and nothing happens unless the visible
 * button is pressed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { AppError, ERRORS } from '../errors.js';
import type { Logger } from '../log.js';
import type { LinkSigner } from '../http/signed-links.js';
import type { Models } from '../db/models.js';
import type { TicketActions } from './actions.js';
import { closeIdempotent, ownedTicket, requesterView } from './requester.routes.js';
import { FEEDBACK_FACES as EMOJI } from '../domain/vocabulary.js';
import { escapeHtml as esc, fill } from '../mail/outbound/render.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates/pages');
const templates = new Map<string, string>();
const template = (name: string) =>
  templates.get(name) ?? templates.set(name, readFileSync(path.join(dir, `${name}.html`), 'utf8')).get(name)!;

/** Security-scanner and link-preview agents; they fetch links but must never trigger an action. */
const SCANNER =
  /barracuda|mimecast|proofpoint|protocol discoverer|safe ?links|urldefense|bot|crawler|spider|preview|scanner|headless|curl|wget|python|go-http|java\/|okhttp|node-fetch|undici|axios|libwww|httpclient/i;

/** True for requests that look like a scanner rather than a person's browser (an empty agent counts). */
export const isScanner = (ua: string | undefined) => !ua || SCANNER.test(ua);

/** Messages after an action (PRG redirect `?m=`), from a fixed table so nothing from the URL is echoed. */
const FLASH: Record<string, string> = {
  closed: 'Done: the ticket is closed. Thank you!',
  already_closed: 'This ticket was already closed. Nothing more to do.',
  reopened: 'The ticket is open again; the IT team will look at it.',
  already_open: 'The ticket is still open.',
  feedback: 'Thank you for your feedback! You can change your rating at any time.',
  comment: 'Your comment was added.',
};

const STATUS: Record<string, string> = {
  new: 'Received',
  open: 'Open',
  waiting_on_user: 'Waiting for your reply',
  resolved: 'Resolved',
  closed: 'Closed',
};
const AUTHOR: Record<string, string> = {
  requester: 'You',
  agent: 'IT team',
  ai: 'AI assistant',
  system: 'IT Helpdesk',
};

function threadHtml(messages: { authorKind: string; text: string; createdAt: Date }[]) {
  return messages
    .map(
      (m) =>
        `<div class="msg"><b>${AUTHOR[m.authorKind] ?? 'IT'} · <time datetime="${new Date(m.createdAt).toISOString()}">${new Date(m.createdAt).toUTCString().slice(5, 22)} UTC</time></b>${esc(m.text)}</div>`,
    )
    .join('');
}

/** Renders a page template inside the layout, with a strict CSP: only the nonce'd script may run. */
function page(
  c: Context,
  name: string,
  vars: Record<string, unknown>,
  opts: { status?: number; nonce?: string; link?: string } = {},
) {
  const link = opts.link ? `<p><a class="btn" href="${esc(opts.link)}">Open the ticket</a></p>` : '';
  const content = fill(template(name), { ...vars, link }, true);
  const html = fill(template('layout'), { title: vars.title, content, script: vars.script ?? '' }, true);
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; script-src ${opts.nonce ? `'nonce-${opts.nonce}'` : "'none'"}`,
  );
  // The token is in the URL: never cache, never index, never leak it in a Referer.
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex, nofollow');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(html, (opts.status ?? 200) as 200);
}

export interface RequesterPagesDeps {
  models: Models;
  actions: TicketActions;
  signer: LinkSigner;
  log: Logger;
}

type Action = 'close' | 'reopen' | 'feedback';

/** The /t/:token pages (mount at '/t'). */
export function requesterPages(d: RequesterPagesDeps) {
  const app = new Hono();
  const csrfFor = (token: string) => d.signer.tag(`csrf:${token}`, 22);

  app.onError((err, c) => {
    const code = err instanceof AppError ? err.code : 'internal';
    if (code === 'internal') d.log.error({ err, path: c.req.path }, 'requester page failed');
    const heading =
      code === 'link_expired'
        ? 'This link has expired'
        : code === 'link_invalid' || code === 'ticket_not_found'
          ? 'This link is not valid'
          : 'Something went wrong';
    const text =
      code === 'link_expired'
        ? 'Links in our emails stay valid for 90 days. Reply to the email instead, or write to the IT inbox.'
        : ERRORS[code].message;
    return page(
      c,
      'message',
      { title: heading, heading, text },
      { status: code === 'validation_failed' ? 400 : ERRORS[code].status },
    );
  });

  /** Verifies the link token and loads the ticket it names, scoped to the email it was sent to. */
  async function resolve(c: Context) {
    const token = c.req.param('token') ?? '';
    const claims = d.signer.verify(token, 'ticket');
    const ticket = await ownedTicket(d.models, claims.t, claims.e ?? '');
    return { token, email: (claims.e ?? '').toLowerCase(), ticket, base: `/t/${token}` };
  }

  async function checkCsrf(c: Context, token: string) {
    const body = await c.req.parseBody();
    if (body.csrf !== csrfFor(token))
      throw new AppError('forbidden', 'This form has expired. Please open the link from your email again.');
    return body;
  }

  app.get('/:token', async (c) => {
    const { token, ticket, base } = await resolve(c);
    const v = await requesterView(d.models, ticket);
    const flash = FLASH[c.req.query('m') ?? ''];
    const csrf = `<input type="hidden" name="csrf" value="${esc(csrfFor(token))}">`;
    const open = !['resolved', 'closed'].includes(ticket.status);
    const score = v.feedback?.score ?? 0;
    const feedback = `<form class="card" method="post" action="${base}/feedback">${csrf}<h2 id="fb">How did we do?</h2>
      <div class="row" role="group" aria-labelledby="fb">${EMOJI.map((e, i) => `<button class="emoji" name="score" value="${i + 1}" aria-pressed="${score === i + 1}" aria-label="Rate ${i + 1} of 5">${e}</button>`).join('')}</div>
      <label for="fbc" style="margin-top:12px">Anything to add? (optional)</label><textarea id="fbc" name="comment" maxlength="2000"></textarea></form>`;
    const comment = `<form class="card" method="post" action="${base}/comment" id="comment">${csrf}<h2><label for="text">Add a comment</label></h2>
      <textarea id="text" name="text" required maxlength="20000"></textarea><p><button type="submit">Send comment</button></p></form>`;
    const lifecycle = open
      ? `<form class="card" method="post" action="${base}/close">${csrf}<h2>Solved?</h2><button type="submit">Close the ticket</button></form>`
      : `<form class="card" method="post" action="${base}/reopen">${csrf}<h2>Not fixed?</h2><button class="secondary" type="submit">Reopen the ticket</button></form>`;
    return page(c, 'ticket', {
      title: `${ticket.ref} ${ticket.subject}`,
      ref: ticket.ref,
      subject: ticket.subject,
      statusLabel: STATUS[ticket.status] ?? ticket.status,
      assigneeLine: v.assignee ? ` · with ${esc(v.assignee.name)}` : '',
      flash: flash ? `<div class="flash" role="status">${esc(flash)}</div>` : '',
      thread: threadHtml(v.messages),
      actions: comment + lifecycle + feedback,
    });
  });

  /** A GET on an action link: a confirmation page; the POST does it. */
  const confirm = (action: Action) => async (c: Context) => {
    const { token, ticket, base } = await resolve(c);
    const score = action === 'feedback' ? Number(c.req.param('score')) : 0;
    if (action === 'feedback' && !(Number.isInteger(score) && score >= 1 && score <= 5))
      throw new AppError('validation_failed', 'The rating must be 1 to 5.');
    if (action === 'close' && ticket.status === 'closed')
      return page(
        c,
        'message',
        { title: 'Already closed', heading: `${ticket.ref} is already closed`, text: 'Nothing more to do. Thank you!' },
        { link: base },
      );
    if (action === 'reopen' && !['resolved', 'closed'].includes(ticket.status))
      return page(
        c,
        'message',
        {
          title: 'Still open',
          heading: `${ticket.ref} is still open`,
          text: 'The IT team is on it; you can add a comment on the ticket page.',
        },
        { link: base },
      );
    const texts = {
      close: {
        heading: `Close ${ticket.ref}?`,
        text: 'Confirm that the problem is solved.',
        button: 'Close the ticket',
      },
      reopen: {
        heading: `Reopen ${ticket.ref}?`,
        text: 'The IT team will look at it again.',
        button: 'Reopen the ticket',
      },
      feedback: {
        heading: `Rate ${ticket.ref}: ${EMOJI[score - 1]} ${score} of 5`,
        text: 'Thank you for telling us how we did.',
        button: `Send ${EMOJI[score - 1]} ${score} of 5`,
      },
    }[action];
    const nonce = randomBytes(16).toString('base64');
    // No auto-submit for HEAD, scanner agents and browsers driven by automation (navigator.webdriver).
    const auto = c.req.method === 'GET' && !isScanner(c.req.header('user-agent'));
    const script = auto
      ? `<script nonce="${nonce}">if(!navigator.webdriver&&document.visibilityState!=='hidden')document.getElementById('hd-confirm').submit()</script>`
      : '';
    return page(
      c,
      'confirm',
      {
        title: texts.heading,
        ref: ticket.ref,
        ...texts,
        csrf: csrfFor(token),
        viewUrl: base,
        action: action === 'feedback' ? `${base}/feedback/${score}` : `${base}/${action}`,
        script,
      },
      { nonce },
    );
  };
  app.get('/:token/close', confirm('close'));
  app.get('/:token/reopen', confirm('reopen'));
  app.get('/:token/feedback/:score', confirm('feedback'));

  const actor = (email: string) => `requester:${email}`;
  const done = (c: Context, base: string, m: keyof typeof FLASH) => c.redirect(`${base}?m=${m}`, 303);

  app.post('/:token/close', async (c) => {
    const { token, email, ticket, base } = await resolve(c);
    await checkCsrf(c, token);
    const r = await closeIdempotent(d.actions, ticket, actor(email));
    return done(c, base, r.already ? 'already_closed' : 'closed');
  });

  app.post('/:token/reopen', async (c) => {
    const { token, email, ticket, base } = await resolve(c);
    await checkCsrf(c, token);
    if (!['resolved', 'closed'].includes(ticket.status)) return done(c, base, 'already_open');
    await d.actions.reopen(ticket.id, actor(email), 'reopened from the email link');
    return done(c, base, 'reopened');
  });

  const feedback = async (c: Context) => {
    const { token, email, ticket, base } = await resolve(c);
    const body = await checkCsrf(c, token);
    const score = Number(c.req.param('score') ?? body.score);
    const comment = typeof body.comment === 'string' && body.comment.trim() ? body.comment.trim().slice(0, 2000) : null;
    await d.actions.feedback(ticket.id, score, actor(email), comment);
    return done(c, base, 'feedback');
  };
  app.post('/:token/feedback', feedback);
  app.post('/:token/feedback/:score', feedback);

  app.post('/:token/comment', async (c) => {
    const { token, email, ticket, base } = await resolve(c);
    const body = await checkCsrf(c, token);
    const text = typeof body.text === 'string' ? body.text.trim().slice(0, 20_000) : '';
    if (!text) throw new AppError('validation_failed', 'Please write a comment.');
    await d.actions.comment(ticket.id, { authorKind: 'requester', text, readIntent: true }, actor(email));
    return done(c, base, 'comment');
  });

  return app;
}
