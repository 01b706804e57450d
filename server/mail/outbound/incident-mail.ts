/**
 * The notifier's major-incident mails (templates/incidents.ts). Requester mails go through the notifier's own
 * queueing (threading headers, signed links, the reply token of the child ticket); the team's notice about a new
 * incident belongs to no ticket, so it carries no reply token and its Message-ID names no ticket.
 */
import type { Transaction } from 'sequelize';
import { LOOP_HEADER, LOOP_HEADER_VALUE } from '../headers.js';
import type { MailIds } from './ids.js';
import type { Outbox } from './outbox.js';
import type { Rendered, RequesterLinks } from './templates/emails.js';
import * as mails from './templates/incidents.js';

/** What the mails say about the incident. */
export interface MailIncident {
  ref: string;
  title: string;
  category: string;
  severity: string;
  devCenter: string | null;
}

/** The part of notify.ts's MailContext these mails read (typed here: notify.ts imports this file). */
interface Ctx {
  ticket: { id: number; ref: string | null; subject: string };
  requester: { name: string; email: string };
}

type Queue<C extends Ctx> = (
  tx: Transaction,
  o: {
    ctx: C;
    to: string;
    kind: string;
    subject: string;
    mail: Rendered;
    automatic: boolean;
    autoSubmitted: 'auto-replied' | 'auto-generated' | null;
    messageId?: string;
  },
) => Promise<string>;

export function incidentMail<C extends Ctx>(d: {
  queue: Queue<C>;
  links: (ctx: C, messageId: string) => RequesterLinks;
  ids: MailIds;
  outbox: Outbox;
  publicUrl: string;
  firstName: (name: string | null | undefined) => string;
}) {
  const tag = (ctx: C, s: string) => `[${ctx.ticket.ref}] ${s}`;
  const vars = (ctx: C, i: MailIncident) => ({
    ref: ctx.ticket.ref,
    subject: ctx.ticket.subject,
    firstName: d.firstName(ctx.requester.name),
    incidentRef: i.ref,
    incidentTitle: i.title,
  });

  return {
    /** To a child's requester, once: we know about it, it is being handled, you will hear when it is fixed. */
    incidentKnown(tx: Transaction, ctx: C, i: MailIncident) {
      const messageId = d.ids.messageId(ctx.ticket.id);
      const mail = mails.incidentKnown({ ...vars(ctx, i), links: d.links(ctx, messageId) });
      return d.queue(tx, {
        ctx,
        messageId,
        to: ctx.requester.email,
        kind: 'incident_known',
        subject: tag(ctx, `Known problem: ${i.title}`),
        mail,
        automatic: true,
        autoSubmitted: 'auto-replied',
      });
    },
    /** An IT team member's update on the incident, to one affected requester (a person wrote it: not automatic). */
    incidentUpdate(tx: Transaction, ctx: C, i: MailIncident, text: string, author: string) {
      const messageId = d.ids.messageId(ctx.ticket.id);
      const mail = mails.incidentUpdate({ ...vars(ctx, i), text, author, links: d.links(ctx, messageId) });
      return d.queue(tx, {
        ctx,
        messageId,
        to: ctx.requester.email,
        kind: 'incident_update',
        subject: tag(ctx, `Update: ${i.title}`),
        mail,
        automatic: false,
        autoSubmitted: null,
      });
    },
    /** To the owner, the category's IT team members and the managers: a major incident was opened. */
    async incidentOpened(
      tx: Transaction,
      i: MailIncident & { children: number; owner: string | null },
      to: { name: string; email: string },
      isOwner: boolean,
    ) {
      const messageId = d.ids.messageId(null);
      const mail = mails.incidentOpened({
        heading: isOwner ? 'A major incident is yours' : 'A major incident was opened',
        firstName: d.firstName(to.name),
        incidentRef: i.ref,
        title: i.title,
        category: i.category,
        severity: i.severity,
        where: i.devCenter ?? 'all centres',
        children: i.children,
        owner: i.owner ?? 'nobody yet (no one has the skill)',
        consoleUrl: `${d.publicUrl}/console/incidents/${i.ref}`,
      });
      await d.outbox.enqueue(
        {
          ticketId: null,
          kind: 'incident_opened',
          to: to.email,
          subject: `[${i.ref}] Major incident: ${i.title}`,
          text: mail.text,
          html: mail.html,
          messageId,
          headers: {
            'Auto-Submitted': 'auto-generated',
            'X-Auto-Response-Suppress': 'All',
            [LOOP_HEADER]: LOOP_HEADER_VALUE,
            'X-Helpdesk-Incident': i.ref,
          },
          automatic: false,
        },
        tx,
      );
      return messageId;
    },
  };
}
