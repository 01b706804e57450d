/**
 * The server-rendered requester page behind the email links (`/t/<token>…`), usable without JavaScript.
 *
 * Mail scanners (Safe Links, Mimecast, Proofpoint, Barracuda…) fetch every link of a message, often within
 * seconds of delivery, and some run script in a headless browser with an ordinary user agent and no automation
 * flag: nothing a page does by itself can tell them from a person (issue 11, item 2). So:
 * - close, reopen and "This solved it" (the article an acknowledgment suggests) never happen on GET: the page shows
 *   one focused button whose POST does it, and the page after offers the way back (reopen, close again);
 * - an emoji link's GET records its score provisionally (tickets/links.ts decides: final after a minute unless
 *   another link of the same email is fetched around it, never for a fetch seconds after the mail left); the page
 *   says which face was recorded, or, when the fetch looks like a scanner's, asks for a press: it never thanks
 *   for what was not recorded;
 * - the page has no script at all.
 */
import { type Context, Hono } from 'hono';
import { faceOf } from '../domain/vocabulary.js';
import { AppError, ERRORS } from '../errors.js';
import type { Html } from '../http/html.js';
import type { LinkSigner } from '../http/signed-links.js';
import type { Logger } from '../log.js';
import type { TicketService } from '../tickets/service.js';
import { requesterView, suggestionOf } from '../tickets/view.js';
import { confirmCard, feedbackCard, layout, messageCard, ticketPage } from './views.js';

/** Security-scanner and link-preview agents; they fetch links but must never trigger an action. */
const SCANNER =
  /barracuda|mimecast|proofpoint|protocol discoverer|safe ?links|urldefense|bot|crawler|spider|preview|scanner|headless|curl|wget|python|go-http|java\/|okhttp|node-fetch|undici|axios|libwww|httpclient/i;

/** True for requests that look like a scanner rather than a person's browser (an empty agent counts). */
export const isScanner = (ua: string | undefined) => !ua || SCANNER.test(ua);

/** Messages after an action (PRG redirect `?m=`), from a fixed table so nothing from the URL is echoed. */
const FLASH: Record<string, string> = {
  closed: 'The ticket is closed. Not solved after all? You can reopen it below.',
  already_closed: 'This ticket was already closed. Nothing more to do.',
  reopened: 'The ticket is open again; the IT team will look at it. Solved after all? You can close it below.',
  already_open: 'The ticket is still open.',
  feedback: 'Thank you: your rating is recorded. You can change it at any time.',
  comment: 'Your comment was added.',
  solved: 'Glad it helped: the ticket is resolved, nobody needs to pick it up. Not solved after all? Reopen it below.',
  already_resolved: 'This ticket was already resolved. Not solved after all? Reopen it below.',
};

const STATUS: Record<string, string> = {
  new: 'Received',
  open: 'Open',
  waiting_on_user: 'Waiting for your reply',
  resolved: 'Resolved',
  closed: 'Closed',
};

/** Sends a page with a strict CSP (no script may run at all) and headers that keep the token private. */
function send(c: Context, title: string, content: Html, opts: { status?: number } = {}) {
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; script-src 'none'",
  );
  // The token is in the URL: never cache, never index, never leak it in a Referer.
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex, nofollow');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(layout(title, content).toString(), (opts.status ?? 200) as 200);
}

/**
 * Why a GET is certainly not a person's click: a HEAD, or a known scanner's user agent. (Scanners that look like a
 * browser get past this; the mail-nonce and timing rules in tickets/links.ts catch those.)
 */
function scannerReason(c: Context): string | null {
  if (c.req.method !== 'GET') return `${c.req.method} request`;
  return isScanner(c.req.header('user-agent')) ? 'scanner user agent' : null;
}

export interface RequesterPagesDeps {
  tickets: TicketService;
  signer: LinkSigner;
  log: Logger;
  /** The suggested article's text for the ticket page (a published KB entry by id); without it, only its title. */
  article?: (id: number) => Promise<{ title: string; resolution: string } | null>;
}

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
    const nonce = typeof claims.m === 'string' ? claims.m.slice(0, 32) : '';
    return { token, email, ticket, nonce, base: `/t/${token}` };
  }

  async function checkCsrf(c: Context, token: string) {
    const body = await c.req.parseBody();
    if (body.csrf !== csrfFor(token)) {
      throw new AppError('forbidden', 'This form has expired. Please open the link from your email again.');
    }
    return body;
  }

  app.get('/:token', async (c) => {
    const { token, email, ticket, nonce, base } = await resolve(c);
    // A link in our own page (same-origin) is not one of the email's links; the email's view link is.
    if (c.req.header('sec-fetch-site') !== 'same-origin') {
      await d.tickets.linkFetched({ ticketId: ticket.id, nonce, link: 'view', email, scanner: scannerReason(c) });
    }
    await d.tickets.settleFeedback({ ticketId: ticket.id }); // provisional scores that are due become final here
    const v = await requesterView(reads, ticket);
    const s = suggestionOf(ticket);
    const open = !['resolved', 'closed'].includes(ticket.status);
    const article = s && open ? ((await d.article?.(s.id)) ?? { title: s.title, resolution: '' }) : null;
    const content = ticketPage({
      ref: ticket.ref,
      subject: ticket.subject,
      statusLabel: STATUS[ticket.status] ?? ticket.status,
      assignee: v.assignee?.name ?? null,
      flash: FLASH[c.req.query('m') ?? ''] ?? null,
      messages: v.messages,
      open,
      suggestion: article,
      score: (await d.tickets.pendingScore(ticket.id)) ?? v.feedback?.score ?? 0,
      base,
      csrf: csrfFor(token),
    });
    return send(c, `${ticket.ref} ${ticket.subject}`, content);
  });

  /** A GET on a close or reopen link: one focused button; only its POST changes the ticket. */
  const confirm = (action: 'close' | 'reopen') => async (c: Context) => {
    const { token, email, ticket, nonce, base } = await resolve(c);
    await d.tickets.linkFetched({ ticketId: ticket.id, nonce, link: action, email, scanner: scannerReason(c) });
    if (action === 'close' && ticket.status === 'closed') {
      const heading = `${ticket.ref} is already closed`;
      return send(c, 'Already closed', messageCard(heading, 'Nothing more to do.', base));
    }
    if (action === 'reopen' && !['resolved', 'closed'].includes(ticket.status)) {
      const text = 'The IT team is on it; you can add a comment on the ticket page.';
      return send(c, 'Still open', messageCard(`${ticket.ref} is still open`, text, base));
    }
    const texts = {
      close: {
        heading: `Close ${ticket.ref}?`,
        text: 'Press the button if the problem is solved. You can reopen the ticket afterwards.',
        button: 'Close the ticket',
      },
      reopen: {
        heading: `Reopen ${ticket.ref}?`,
        text: 'Press the button and the IT team will look at it again.',
        button: 'Reopen the ticket',
      },
    }[action];
    const card = confirmCard({
      ref: ticket.ref,
      ...texts,
      csrf: csrfFor(token),
      viewUrl: base,
      action: `${base}/${action}`,
    });
    return send(c, texts.heading, card);
  };
  app.get('/:token/close', confirm('close'));
  app.get('/:token/reopen', confirm('reopen'));

  /** A GET on "This solved it" (the acknowledgment's suggested article): one focused button; only its POST resolves. */
  app.get('/:token/solved', async (c) => {
    const { token, email, ticket, nonce, base } = await resolve(c);
    await d.tickets.linkFetched({ ticketId: ticket.id, nonce, link: 'solved', email, scanner: scannerReason(c) });
    const s = suggestionOf(ticket);
    if (!s) {
      const text = 'Nothing to confirm here; the IT team has your request.';
      return send(c, 'Nothing to confirm', messageCard(`${ticket.ref} has no suggested article`, text, base));
    }
    if (['resolved', 'closed'].includes(ticket.status)) {
      const text = 'Nothing more to do. Not solved after all? You can reopen it on the ticket page.';
      return send(c, 'Already resolved', messageCard(`${ticket.ref} is already resolved`, text, base));
    }
    const card = confirmCard({
      ref: ticket.ref,
      heading: `Did “${s.title}” solve it?`,
      text: 'Press the button and the ticket is resolved: nobody from the IT team needs to pick it up. You can reopen it afterwards.',
      button: 'Yes, this solved it',
      csrf: csrfFor(token),
      viewUrl: base,
      action: `${base}/solved`,
    });
    return send(c, 'This solved it?', card);
  });

  /** A GET on an emoji link: the score provisionally, unless the fetch looks like a scanner's (see above). */
  app.get('/:token/feedback/:score', async (c) => {
    const { token, email, ticket, nonce, base } = await resolve(c);
    const score = Number(c.req.param('score'));
    if (!(Number.isInteger(score) && score >= 1 && score <= 5)) {
      throw new AppError('validation_failed', 'The rating must be 1 to 5.');
    }
    const r = await d.tickets.linkFetched({
      ticketId: ticket.id,
      nonce,
      link: 'feedback',
      score,
      email,
      scanner: scannerReason(c),
    });
    const card = feedbackCard({ ref: ticket.ref, score, recorded: r.provisional, base, csrf: csrfFor(token) });
    return send(c, `${faceOf(score)} ${score} of 5 · ${ticket.ref}`, card);
  });

  const actor = (email: string) => `requester:${email}`;
  const done = (c: Context, base: string, m: keyof typeof FLASH) => c.redirect(`${base}?m=${m}`, 303);

  app.post('/:token/close', async (c) => {
    const { token, email, ticket, base } = await resolve(c);
    await checkCsrf(c, token);
    if (ticket.status === 'closed') return done(c, base, 'already_closed');
    const r = await d.tickets.closeIfOpen(ticket.id, actor(email));
    return done(c, base, r.already ? 'already_closed' : 'closed');
  });

  app.post('/:token/solved', async (c) => {
    const { token, email, ticket, base } = await resolve(c);
    await checkCsrf(c, token);
    if (!suggestionOf(ticket)) return done(c, base, 'already_open');
    const r = await d.tickets.solvedBySuggestion(ticket.id, actor(email));
    return done(c, base, r.already ? 'already_resolved' : 'solved');
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
