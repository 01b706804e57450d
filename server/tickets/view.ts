/** The JSON shapes of tickets in the API. */
import type { Models, Ticket } from '../db/models.js';

/** The summary shape (lists and the create response). */
export function ticketSummary(t: Ticket) {
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
    classifier: t.classifier,
    confidence: t.confidence,
    createdAt: t.createdAt,
    firstResponseAt: t.firstResponseAt,
    resolvedAt: t.resolvedAt,
    closedAt: t.closedAt,
    escalatedAt: t.escalatedAt,
  };
}

/** The full ticket with its thread, feedback and audit trail (admin API; internal notes included). */
export async function ticketDetail(models: Models, ticket: Ticket, opts: { internal: boolean }) {
  const { Message, Attachment, Feedback, AuditEvent, Requester, Agent } = models;
  const [messages, feedback, events, requester, assignee] = await Promise.all([
    Message.findAll({
      where: { ticketId: ticket.id, ...(opts.internal ? {} : { internal: false }) },
      order: [['id', 'ASC']],
      include: [
        {
          model: Attachment,
          as: 'attachments',
          attributes: ['id', 'filename', 'contentType', 'size', 'contentId', 'inline'],
        },
      ],
    }),
    Feedback.findOne({ where: { ticketId: ticket.id } }),
    opts.internal
      ? AuditEvent.findAll({ where: { ticketId: ticket.id }, order: [['id', 'ASC']] })
      : Promise.resolve([]),
    Requester.findByPk(ticket.requesterId),
    ticket.assigneeId ? Agent.findByPk(ticket.assigneeId) : Promise.resolve(null),
  ]);
  ticket.assignee = assignee;
  return {
    ...ticketSummary(ticket),
    description: ticket.description,
    summary: ticket.summary,
    resolution: ticket.resolution,
    resolvedBy: ticket.resolvedBy,
    requester: requester ? { name: requester.name, email: requester.email, devCenter: requester.devCenter } : null,
    ...(opts.internal ? { triage: ticket.triage } : {}),
    messages: messages.map((m) => ({
      id: m.id,
      authorKind: m.authorKind,
      authorEmail: opts.internal ? m.authorEmail : undefined,
      internal: m.internal,
      text: m.text,
      createdAt: m.createdAt,
      emailMessageId: opts.internal ? m.emailMessageId : undefined,
      attachments: (m.attachments ?? []).map((a) => ({
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
