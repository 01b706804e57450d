/** The JSON shapes of tickets in the APIs (admin and requester), built from the read model. */
import { incidentRef } from '../incidents/incidents.js';
import type { TicketReads, TicketRow } from './reads.js';

/**
 * The one article the acknowledgment suggested (triage.suggestion, recorded by create.ts), or null: what the widget
 * and the requester pages offer with "This solved it".
 */
export function suggestionOf(t: Pick<TicketRow, 'triage'>): { id: number; title: string } | null {
  const s = (t.triage?.suggestion ?? null) as { id?: unknown; title?: unknown } | null;
  const id = Number(s?.id);
  return s && Number.isSafeInteger(id) && id > 0 && typeof s.title === 'string' ? { id, title: s.title } : null;
}

/** The summary shape (lists and the create response). */
export function ticketSummary(t: TicketRow) {
  return {
    id: t.id,
    ref: t.ref,
    subject: t.subject,
    status: t.status,
    route: t.route,
    category: t.category,
    severity: t.severity,
    urgency: t.urgency,
    sentiment: t.sentiment,
    intent: t.intent,
    complex: t.complex,
    escalated: t.escalated,
    channel: t.channel,
    devCenter: t.devCenter,
    assignee: t.assignee ? { id: t.assignee.id, name: t.assignee.name, kind: t.assignee.kind } : null,
    /** The major incident this ticket is part of (MI-12), or null. */
    incident: t.incidentId ? incidentRef(t.incidentId) : null,
    classifier: t.classifier,
    confidence: t.confidence,
    createdAt: t.createdAt,
    firstResponseAt: t.firstResponseAt,
    resolvedAt: t.resolvedAt,
    closedAt: t.closedAt,
    escalatedAt: t.escalatedAt,
  };
}

/** The full ticket with thread, feedback and (for the admin API) internal notes, triage and audit trail. */
export async function ticketDetail(reads: TicketReads, ticket: TicketRow, opts: { internal: boolean }) {
  const [messages, feedback, events, requester] = await Promise.all([
    reads.messages(ticket.id, { internal: opts.internal }),
    reads.feedback(ticket.id),
    opts.internal ? reads.events(ticket.id) : Promise.resolve([]),
    reads.requester(ticket.requesterId),
  ]);
  return {
    ...ticketSummary(ticket),
    description: ticket.description,
    summary: ticket.summary,
    resolution: ticket.resolution,
    resolvedBy: ticket.resolvedBy,
    requester: requester
      ? {
          name: requester.name,
          email: requester.email,
          devCenter: requester.devCenter,
          // What was typed on this ticket (widget, email); the stored name changes only by the admin API.
          ...(opts.internal ? { givenName: ticket.requesterName } : {}),
        }
      : null,
    ...(opts.internal ? { triage: ticket.triage } : {}),
    messages: messages.map((m) => ({
      id: m.id,
      authorKind: m.authorKind,
      authorEmail: opts.internal ? m.authorEmail : undefined,
      internal: m.internal,
      text: m.text,
      createdAt: m.createdAt,
      emailMessageId: opts.internal ? m.emailMessageId : undefined,
      attachments: m.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        contentType: a.contentType,
        size: a.size,
        inline: a.inline,
      })),
    })),
    feedback: feedback ? { score: feedback.score, comment: feedback.comment, updatedAt: feedback.updatedAt } : null,
    ...(opts.internal
      ? { events: events.map((e) => ({ actor: e.actor, action: e.action, data: e.data, at: e.createdAt })) }
      : {}),
  };
}

/**
 * What the requester sees: the thread without internal notes and without the triage details, and the article the
 * acknowledgment suggested (the widget offers "This solved it" on it while the ticket is open).
 */
export async function requesterView(reads: TicketReads, t: TicketRow) {
  const d = await ticketDetail(reads, t, { internal: false });
  const { classifier: _c, confidence: _f, sentiment: _s, intent: _i, ...rest } = d;
  return { ...rest, suggestion: suggestionOf(t) };
}
