/**
 * Every email the helpdesk sends, as HTML and plain text. HTML goes through the one renderer (escaped by default);
 * the text part is a plain template literal, which inserts values once and never looks at them again.
 */
import { FEEDBACK_FACES } from '../../../domain/vocabulary.js';
import { html, type Html } from '../../../http/html.js';
import { replyAboveMarker } from '../../reply-marker.js';
import { block, button, h1, layout, link, muted, p, S } from './layout.js';

export interface Rendered {
  html: string;
  text: string;
}

/** What every ticket mail knows about its ticket. */
export interface TicketRefVars {
  ref: string | null;
  subject: string;
}

/** The requester's signed links (see notify.ts). */
export interface RequesterLinks {
  viewUrl: string;
  closeUrl: string;
  commentUrl: string;
  reopenUrl: string;
  /** "This solved it" on the article an acknowledgment suggests (a GET shows a button; only its POST resolves). */
  solvedUrl: string;
  feedbackUrl: (score: number) => string;
}

/** The one article an acknowledgment suggests while a person takes the ticket. */
export interface SuggestedArticle {
  title: string;
  resolution: string;
}

/**
 * Ticket mail starts with the reply-above marker (text and HTML), so a reply is cut exactly where our text starts,
 * whatever the mail client does with quoting; a sign-in link (no ticket) has nothing to reply to.
 */
const done = (
  v: TicketRefVars,
  content: Html,
  text: string[],
  footer?: string,
  lang: string | null = null,
): Rendered => {
  const ticketMail = v.ref !== null;
  return {
    html: layout({
      ref: v.ref,
      subject: v.subject,
      content,
      footer,
      replyAbove: ticketMail ? lang : undefined,
    }).toString(),
    text: `${ticketMail ? `${replyAboveMarker(lang)}\n\n` : ''}${text.join('\n').trim()}\n`,
  };
};

function feedback(l: RequesterLinks) {
  const faces = FEEDBACK_FACES.map(
    (face, i) =>
      html`<a class="emoji" style="${S.emoji}" href="${l.feedbackUrl(i + 1)}" title="${i + 1} of 5" aria-label="Rate ${i + 1} of 5">${face}</a>`,
  );
  return {
    html: p(html`${faces.map((f, i) => (i ? html` ${f}` : f))}`),
    text: FEEDBACK_FACES.map((f, i) => `${f} ${l.feedbackUrl(i + 1)}`),
  };
}

const WHILE_YOU_WAIT = 'While you wait: this usually fixes it';
const SOLVED_NOTE =
  'Press it only if these steps solved it: the ticket is then resolved and nobody needs to pick it up. If not, ' +
  'there is nothing to do; the IT team has it.';

/**
 * Acknowledgement when a person (pool or IT team) will handle the ticket; with a confident match, it carries that
 * one article and a "This solved it" link (issue 13, item 2).
 */
export function received(
  v: TicketRefVars & {
    firstName: string;
    nextStep: string;
    links: RequesterLinks;
    suggestion?: SuggestedArticle | null;
  },
): Rendered {
  const s = v.suggestion;
  return done(
    v,
    html`${h1('We received your request')}${p(`Hi ${v.firstName},`)}
${p(html`Your request <strong>${v.ref}</strong> — “${v.subject}” — is with us. ${v.nextStep}`)}
${
  s
    ? html`<h2 style="${S.h1};font-size:17px;margin-top:20px">${WHILE_YOU_WAIT}</h2>${p(html`<strong>${s.title}</strong>`)}${block(s.resolution)}
${p(button(v.links.solvedUrl, 'This solved it'), `${S.p};margin-top:16px`)}${muted(SOLVED_NOTE)}`
    : ''
}
${p(link(v.links.viewUrl, 'View your ticket'))}`,
    [
      `Hi ${v.firstName},`,
      '',
      `Your request ${v.ref} — "${v.subject}" — is with us. ${v.nextStep}`,
      ...(s
        ? [
            '',
            `${WHILE_YOU_WAIT} — ${s.title}`,
            '',
            s.resolution.trim(),
            '',
            `This solved it: ${v.links.solvedUrl}`,
            'Open it only if these steps solved it: the page asks you to confirm, and then nobody needs to pick the',
            'ticket up. If not, there is nothing to do; the IT team has it.',
          ]
        : []),
      '',
      `View your ticket: ${v.links.viewUrl}`,
    ],
  );
}

/** The AI agent's answer, with close and comment links and the feedback faces. */
export function aiAnswer(
  v: TicketRefVars & { firstName: string; answer: string; agentName: string; links: RequesterLinks },
) {
  const fb = feedback(v.links);
  return done(
    v,
    html`${h1('Here is how to fix it')}${p(`Hi ${v.firstName},`)}${block(v.answer)}
${p(button(v.links.closeUrl, 'This solved it — close the ticket'), `${S.p};margin-top:20px`)}
${p(html`${link(v.links.commentUrl, 'Reply to add a comment')} — or just reply to this email.`)}
${muted('How helpful was this answer?')}${fb.html}
${muted(`Answered automatically by ${v.agentName}. If it does not help, reply and a person from the IT team takes over.`)}`,
    [
      `Hi ${v.firstName},`,
      '',
      v.answer,
      '',
      `This solved it — close the ticket: ${v.links.closeUrl}`,
      `Reply to this email (or open ${v.links.commentUrl}) to add a comment.`,
      '',
      'How helpful was this answer?',
      ...fb.text,
      '',
      `Answered automatically by ${v.agentName}. If it does not help, reply and a person from the IT team takes over.`,
    ],
  );
}

/** Tells an IT team member a ticket is theirs; replying answers the requester. */
export function assignment(
  v: TicketRefVars & {
    heading: string;
    agentFirstName: string;
    category: string;
    severity: string;
    urgency: string;
    requesterName: string;
    devCenter: string;
    description: string;
    consoleUrl: string;
  },
) {
  const facts = `${v.category} · severity ${v.severity} · urgency ${v.urgency} · from ${v.requesterName} (${v.devCenter})`;
  return done(
    v,
    html`${h1(v.heading)}${p(`Hi ${v.agentFirstName},`)}
${p(html`<strong>${v.ref}</strong> — ${v.subject}<br><span class="muted" style="${S.muted}">${facts}</span>`)}
${block(v.description)}${p(button(v.consoleUrl, 'Open in the console'), `${S.p};margin-top:20px`)}
${muted('Reply to this email to answer the requester; your reply is posted to the ticket.')}`,
    [
      `Hi ${v.agentFirstName},`,
      '',
      `${v.heading}: ${v.ref} — ${v.subject}`,
      facts,
      '',
      v.description,
      '',
      `Open in the console: ${v.consoleUrl}`,
      'Reply to this email to answer the requester; your reply is posted to the ticket.',
    ],
  );
}

/** An IT team member's reply to the requester. */
export function agentReply(
  v: TicketRefVars & { firstName: string; text: string; agentName: string; links: RequesterLinks },
) {
  return done(
    v,
    html`${p(`Hi ${v.firstName},`)}${block(v.text)}${muted(`${v.agentName}, IT team`)}
${p(html`${link(v.links.viewUrl, 'View your ticket')} · ${link(v.links.closeUrl, 'Close it if this solved it')}`)}`,
    [
      `Hi ${v.firstName},`,
      '',
      v.text,
      '',
      `${v.agentName}, IT team`,
      '',
      `View your ticket: ${v.links.viewUrl}`,
      `Close it if this solved it: ${v.links.closeUrl}`,
    ],
  );
}

/** The resolution, with the feedback faces and a reopen link. */
export function resolved(v: TicketRefVars & { firstName: string; resolution: string; links: RequesterLinks }) {
  const fb = feedback(v.links);
  return done(
    v,
    html`${h1('Your request is resolved')}${p(`Hi ${v.firstName},`)}${p(html`We marked <strong>${v.ref}</strong> as resolved:`)}
${block(v.resolution)}${p('How did we do?', `${S.muted};margin-top:16px`)}${fb.html}
${p(html`${link(v.links.reopenUrl, 'Not fixed? Reopen it')} — or reply to this email.`)}`,
    [
      `Hi ${v.firstName},`,
      '',
      `We marked ${v.ref} as resolved:`,
      '',
      v.resolution,
      '',
      'How did we do?',
      ...fb.text,
      '',
      `Not fixed? Reopen it: ${v.links.reopenUrl} — or reply to this email.`,
    ],
  );
}

/** Escalation notice to the new holder (or the managers). */
export function escalation(
  v: TicketRefVars & {
    hours: number;
    category: string;
    severity: string;
    requesterName: string;
    devCenter: string;
    whereNow: string;
    consoleUrl: string;
  },
) {
  const facts = `${v.category} · severity ${v.severity} · ${v.requesterName} (${v.devCenter})`;
  return done(
    v,
    html`${h1(`Escalated: unresolved for ${v.hours} hours`)}
${p(html`<strong>${v.ref}</strong> — ${v.subject}<br><span class="muted" style="${S.muted}">${facts}</span>`)}
${p(v.whereNow)}${p(button(v.consoleUrl, 'Open in the console'))}`,
    [
      `Escalated: ${v.ref} — ${v.subject} has been unresolved for ${v.hours} hours.`,
      facts,
      v.whereNow,
      '',
      `Open in the console: ${v.consoleUrl}`,
    ],
  );
}

/** A short notice to the requester (e.g. attachments dropped because the email was too large). */
export function notice(v: TicketRefVars & { firstName: string; message: string; links: RequesterLinks }) {
  return done(v, html`${p(`Hi ${v.firstName},`)}${p(v.message)}${p(link(v.links.viewUrl, 'View your ticket'))}`, [
    `Hi ${v.firstName},`,
    '',
    v.message,
    '',
    `View your ticket: ${v.links.viewUrl}`,
  ]);
}

/** A console sign-in link (no ticket). */
export function magicLink(v: { firstName: string; loginUrl: string }) {
  const why = 'This link works once and expires in 15 minutes. If you did not ask for it, ignore this email.';
  return done(
    { ref: null, subject: 'Sign in to the helpdesk console' },
    html`${h1('Sign in to the helpdesk console')}${p(`Hi ${v.firstName},`)}${p(button(v.loginUrl, 'Sign in'))}${muted(why)}`,
    [`Hi ${v.firstName},`, '', `Sign in to the helpdesk console: ${v.loginUrl}`, '', why],
    'You receive this because someone asked to sign in to the IT Helpdesk console with your address.',
  );
}
