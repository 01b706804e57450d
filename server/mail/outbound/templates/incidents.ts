/**
 * The major-incident emails: to each affected requester (we know; an update from the IT team) and to the IT team
 * (an incident was opened). HTML through the one renderer, text as a template literal (see emails.ts). The
 * resolution itself goes out as the ordinary resolved mail of each child ticket, with its feedback faces.
 */
import { html, type Html } from '../../../http/html.js';
import type { Rendered, RequesterLinks, TicketRefVars } from './emails.js';
import { block, button, h1, layout, link, muted, p, S } from './layout.js';

/** What a requester's incident mail says about the incident (its title and ref, never another child's text). */
export interface IncidentVars {
  incidentRef: string;
  incidentTitle: string;
}

const done = (v: TicketRefVars, content: Html, text: string[], footer?: string): Rendered => ({
  html: layout({ ref: v.ref, subject: v.subject, content, footer }).toString(),
  text: `${text.join('\n').trim()}\n`,
});

/** The one email a child's requester gets on joining: we know, it is being handled, you will hear when it is fixed. */
export function incidentKnown(v: TicketRefVars & IncidentVars & { firstName: string; links: RequesterLinks }) {
  const say = `Your request ${v.ref} is about a problem we already know: ${v.incidentTitle} (${v.incidentRef}).`;
  const next =
    'The IT team is working on it. You will hear from us as soon as it is fixed; there is nothing else you need to do.';
  return done(
    v,
    html`${h1('We know about this problem')}${p(`Hi ${v.firstName},`)}
${p(html`Your request <strong>${v.ref}</strong> is about a problem we already know: <strong>${v.incidentTitle}</strong> (${v.incidentRef}).`)}
${p(next)}${p(html`${link(v.links.viewUrl, 'View your ticket')} — or reply to this email to add something.`)}`,
    [`Hi ${v.firstName},`, '', say, '', next, '', `View your ticket: ${v.links.viewUrl}`, 'Or reply to this email.'],
  );
}

/** An update the IT team posts on the incident, sent once to every affected requester. */
export function incidentUpdate(
  v: TicketRefVars & IncidentVars & { firstName: string; text: string; author: string; links: RequesterLinks },
) {
  const about = `An update on ${v.incidentTitle} (${v.incidentRef}), which your request ${v.ref} is about:`;
  return done(
    v,
    html`${h1('An update on the problem you reported')}${p(`Hi ${v.firstName},`)}${p(about)}${block(v.text)}
${muted(`${v.author}, IT team`)}${p(link(v.links.viewUrl, 'View your ticket'))}`,
    [
      `Hi ${v.firstName},`,
      '',
      about,
      '',
      v.text,
      '',
      `${v.author}, IT team`,
      '',
      `View your ticket: ${v.links.viewUrl}`,
    ],
  );
}

/** To the IT team and the managers: a major incident was opened (the owner's heading says it is theirs). */
export function incidentOpened(v: {
  heading: string;
  firstName: string;
  incidentRef: string;
  title: string;
  category: string;
  severity: string;
  where: string;
  children: number;
  owner: string;
  consoleUrl: string;
}) {
  const facts = `${v.category} · severity ${v.severity} · ${v.where} · ${v.children} tickets so far · owner ${v.owner}`;
  const why =
    'Several people reported the same problem within minutes. Their tickets are linked to the incident; resolving it resolves them all.';
  const footer =
    'You receive this because you are on the IT team. Replies to this email are not added to the incident: use the console.';
  return done(
    { ref: v.incidentRef, subject: v.title },
    html`${h1(v.heading)}${p(`Hi ${v.firstName},`)}
${p(html`<strong>${v.incidentRef}</strong> — ${v.title}<br><span class="muted" style="${S.muted}">${facts}</span>`)}
${p(why)}${p(button(v.consoleUrl, 'Open the incident'), `${S.p};margin-top:20px`)}`,
    [
      `Hi ${v.firstName},`,
      '',
      `${v.heading}: ${v.incidentRef} — ${v.title}`,
      facts,
      '',
      why,
      '',
      `Open the incident: ${v.consoleUrl}`,
    ],
    footer,
  );
}
