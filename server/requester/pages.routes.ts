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
import { type Context, Hono } from 'hono';
import { faceOf } from '../domain/vocabulary.js';
import { AppError, ERRORS } from '../errors.js';
import { html, type Html } from '../http/html.js';
import type { LinkSigner } from '../http/signed-links.js';
import type { Logger } from '../log.js';
import type { TicketService } from '../tickets/service.js';
import { requesterView } from '../tickets/view.js';
import { confirmCard, layout, messageCard, ticketPage } from './views.js';

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

/** Sends a page with a strict CSP (only a nonce'd script may run) and headers that keep the token private. */
function send(c: Context, title: string, content: Html, opts: { status?: number; nonce?: string; script?: Html } = {}) {
  const script = opts.nonce ? `'nonce-${opts.nonce}'` : "'none'";
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; script-src ${script}`,
  );
  // The token is in the URL: never cache, never index, never leak it in a Referer.
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex, nofollow');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(layout(title, content, opts.script ?? '').toString(), (opts.status ?? 200) as 200);
}

export interface RequesterPagesDeps {
  tickets: TicketService;
  signer: LinkSigner;
  log: Logger;
}

type Action = 'close' | 'reopen' | 'feedback';

/** The /t/:token pages (mount at '/t'). */
export function requesterPages(d: RequesterPagesDeps) {
  const app = new Hono();
  const { reads } = d.tickets;
  const csrfFor = (token: string) => d.signer.tag(`csrf:${token}`, 22);

  app.onError((err, c) => {
    const code = err instanceof AppError ? err.code : 'internal';
    // The path carries the ticket's token: log the route, never the token.
    if (code === 'internal') d.log.error({ err, path: c.req.routePath }, 'requester page failed');
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
    return send(c, heading, messageCard(heading, text), {
      status: code === 'validation_failed' ? 400 : ERRORS[code].status,
    });
  });

  /** Verifies the link token and loads the ticket it names, scoped to the email it was sent to. */
  async function resolve(c: Context) {
    const token = c.req.param('token') ?? '';
    const claims = d.signer.verify(token, 'ticket');
    const email = (claims.e ?? '').toLowerCase();
    const ticket = await reads.owned(claims.t, email);
    if (!ticket) throw new AppError('ticket_not_found');
    return { token, email, ticket, base: `/t/${token}` };
  }

  async function checkCsrf(c: Context, token: string) {
    const body = await c.req.parseBody();
    if (body.csrf !== csrfFor(token)) {
      throw new AppError('forbidden', 'This form has expired. Please open the link from your email again.');
    }
    return body;
  }

  app.get('/:token', async (c) => {
    const { token, ticket, base } = await resolve(c);
    const v = await requesterView(reads, ticket);
    const content = ticketPage({
      ref: ticket.ref,
      subject: ticket.subject,
      statusLabel: STATUS[ticket.status] ?? ticket.status,
      assignee: v.assignee?.name ?? null,
      flash: FLASH[c.req.query('m') ?? ''] ?? null,
      messages: v.messages,
      open: !['resolved', 'closed'].includes(ticket.status),
      score: v.feedback?.score ?? 0,
      base,
      csrf: csrfFor(token),
    });
    return send(c, `${ticket.ref} ${ticket.subject}`, content);
  });

  /** A GET on an action link: a confirmation page; the POST does it. */
  const confirm = (action: Action) => async (c: Context) => {
    const { token, ticket, base } = await resolve(c);
    const score = action === 'feedback' ? Number(c.req.param('score')) : 0;
    if (action === 'feedback' && !(Number.isInteger(score) && score >= 1 && score <= 5)) {
      throw new AppError('validation_failed', 'The rating must be 1 to 5.');
    }
    if (action === 'close' && ticket.status === 'closed') {
      const heading = `${ticket.ref} is already closed`;
      return send(c, 'Already closed', messageCard(heading, 'Nothing more to do. Thank you!', base));
    }
    if (action === 'reopen' && !['resolved', 'closed'].includes(ticket.status)) {
      const text = 'The IT team is on it; you can add a comment on the ticket page.';
      return send(c, 'Still open', messageCard(`${ticket.ref} is still open`, text, base));
    }
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
        heading: `Rate ${ticket.ref}: ${faceOf(score)} ${score} of 5`,
        text: 'Thank you for telling us how we did.',
        button: `Send ${faceOf(score)} ${score} of 5`,
      },
    }[action];
    const nonce = randomBytes(16).toString('base64');
    // No auto-submit for HEAD, scanner agents and browsers driven by automation (navigator.webdriver).
    const auto = c.req.method === 'GET' && !isScanner(c.req.header('user-agent'));
    const script = auto
      ? html`<script nonce="${nonce}">if(!navigator.webdriver&&document.visibilityState!=='hidden')document.getElementById('hd-confirm').submit()</script>`
      : undefined;
    const card = confirmCard({
      ref: ticket.ref,
      ...texts,
      csrf: csrfFor(token),
      viewUrl: base,
      action: action === 'feedback' ? `${base}/feedback/${score}` : `${base}/${action}`,
    });
    return send(c, texts.heading, card, { nonce, script });
  };
  app.get('/:token/close', confirm('close'));
  app.get('/:token/reopen', confirm('reopen'));
  app.get('/:token/feedback/:score', confirm('feedback'));

  const actor = (email: string) => `requester:${email}`;
  const done = (c: Context, base: string, m: keyof typeof FLASH) => c.redirect(`${base}?m=${m}`, 303);

  app.post('/:token/close', async (c) => {
    const { token, email, ticket, base } = await resolve(c);
    await checkCsrf(c, token);
    if (ticket.status === 'closed') return done(c, base, 'already_closed');
    const r = await d.tickets.closeIfOpen(ticket.id, actor(email));
    return done(c, base, r.already ? 'already_closed' : 'closed');
  });

  app.post('/:token/reopen', async (c) => {
    const { token, email, ticket, base } = await resolve(c);
    await checkCsrf(c, token);
    if (!['resolved', 'closed'].includes(ticket.status)) return done(c, base, 'already_open');
    await d.tickets.reopen(ticket.id, actor(email), 'reopened from the email link');
    return done(c, base, 'reopened');
  });

  const feedback = async (c: Context) => {
    const { token, email, ticket, base } = await resolve(c);
    const body = await checkCsrf(c, token);
    const score = Number(c.req.param('score') ?? body.score);
    const comment = typeof body.comment === 'string' && body.comment.trim() ? body.comment.trim().slice(0, 2000) : null;
    await d.tickets.feedback(ticket.id, score, actor(email), comment);
    return done(c, base, 'feedback');
  };
  app.post('/:token/feedback', feedback);
  app.post('/:token/feedback/:score', feedback);

  app.post('/:token/comment', async (c) => {
    const { token, email, ticket, base } = await resolve(c);
    const body = await checkCsrf(c, token);
    const text = typeof body.text === 'string' ? body.text.trim().slice(0, 20_000) : '';
    if (!text) throw new AppError('validation_failed', 'Please write a comment.');
    await d.tickets.comment(ticket.id, { authorKind: 'requester', text, readIntent: true }, actor(email));
    return done(c, base, 'comment');
  });

  return app;
}
