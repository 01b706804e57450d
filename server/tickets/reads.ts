/**
 * The ticket room's read model: how every other room reads tickets, requesters, messages, attachments, feedback
 * and the audit trail. It returns plain, frozen-shape objects (never model instances), so no reader can write.
 */
import { Op, type InferAttributes, type WhereOptions } from 'sequelize';
import type { Attachment, AuditEvent, Feedback, Message, Models, Requester, Ticket } from '../db/models.js';
import { isCategory, isLevel, OPEN_STATUSES, type Route, type Status } from '../domain/vocabulary.js';
import type { TrainingExample } from '../triage/types.js';
import { ticketWhere } from './store.js';

type Plain<M extends object, Drop extends keyof M = never> = Readonly<Omit<M, Drop>>;

export type AgentRow = { id: number; name: string; kind: 'ai' | 'human' };
export type TicketRow = Plain<InferAttributes<Ticket>, 'requester' | 'assignee'> & { assignee?: AgentRow | null };
export type RequesterRow = Plain<InferAttributes<Requester>>;
export type AttachmentRow = Plain<InferAttributes<Attachment>>;
export type MessageRow = Plain<InferAttributes<Message>, 'attachments'> & { attachments: AttachmentRow[] };
export type EventRow = Plain<InferAttributes<AuditEvent>>;
export type FeedbackRow = Plain<InferAttributes<Feedback>>;

/** Filters of the admin list and the console queues; unknown values never reach here (callers validate). */
export interface TicketFilter {
  status?: Status[];
  route?: Route;
  category?: string;
  severity?: string;
  devCenter?: string;
  assigneeId?: number | null;
  escalated?: boolean;
  /** false: not a child of a major incident (the incident stands for its children in the working queues). */
  inIncident?: boolean;
}

const plain = <T>(m: { get(o: { plain: true }): unknown }) => m.get({ plain: true }) as T;
const ATTACHMENT_META = [
  'id',
  'messageId',
  'filename',
  'contentType',
  'size',
  'contentId',
  'inline',
  'createdAt',
  'updatedAt',
];

export function createTicketReads(deps: { models: Models }) {
  const { Ticket, Requester, Agent, Message, Attachment, AuditEvent, Feedback } = deps.models;
  const assignee = { model: Agent, as: 'assignee', attributes: ['id', 'name', 'kind'] };

  function where(f: TicketFilter): WhereOptions<Ticket> {
    const w: Record<string, unknown> = {};
    if (f.status?.length) w.status = { [Op.in]: f.status };
    if (f.route) w.route = f.route;
    if (f.category) w.category = f.category;
    if (f.severity) w.severity = f.severity;
    if (f.devCenter) w.devCenter = f.devCenter;
    if (f.assigneeId !== undefined) w.assigneeId = f.assigneeId;
    if (f.escalated !== undefined) w.escalated = f.escalated;
    if (f.inIncident !== undefined) w.incidentId = f.inIncident ? { [Op.ne]: null } : null;
    return w as WhereOptions<Ticket>;
  }

  const reads = {
    /** A ticket by ref (IT-1042) or id; null when there is none. */
    async find(refOrId: string | number): Promise<TicketRow | null> {
      const w = ticketWhere(refOrId);
      const t = w && (await Ticket.findOne({ where: w, include: [assignee] }));
      return t ? plain<TicketRow>(t) : null;
    },
    /** A page of tickets, newest first (admin API) or oldest first (working queues). */
    async list(f: TicketFilter, o: { limit: number; offset: number; oldestFirst?: boolean }) {
      const { rows, count } = await Ticket.findAndCountAll({
        where: where(f),
        include: [assignee],
        order: [
          ['createdAt', o.oldestFirst ? 'ASC' : 'DESC'],
          ['id', o.oldestFirst ? 'ASC' : 'DESC'],
        ],
        limit: o.limit,
        offset: o.offset,
      });
      return { tickets: rows.map((t) => plain<TicketRow>(t)), total: count };
    },
    count: (f: TicketFilter) => Ticket.count({ where: where(f) }),
    /** Development centres seen on tickets (filter menus). */
    async devCenters(): Promise<string[]> {
      const rows = await Ticket.findAll({
        attributes: ['devCenter'],
        group: ['devCenter'],
        where: { devCenter: { [Op.ne]: null } },
        raw: true,
      });
      return rows
        .map((r) => r.devCenter!)
        .filter(Boolean)
        .sort();
    },
    requester: async (id: number) => {
      const r = await Requester.findByPk(id);
      return r ? plain<RequesterRow>(r) : null;
    },
    /** The thread, oldest first, with attachment metadata (never contents); internal notes only when asked. */
    async messages(ticketId: number, opts: { internal: boolean }): Promise<MessageRow[]> {
      const rows = await Message.findAll({
        where: { ticketId, ...(opts.internal ? {} : { internal: false }) },
        order: [['id', 'ASC']],
        include: [{ model: Attachment, as: 'attachments', attributes: ATTACHMENT_META }],
      });
      return rows.map((m) => plain<MessageRow>(m));
    },
    /** Inline parts (cid: images) of one message, with their bytes. */
    async inlineParts(messageId: number) {
      const rows = await Attachment.findAll({
        where: { messageId },
        attributes: ['contentId', 'contentType', 'content'],
      });
      return rows.map((a) => ({ contentId: a.contentId, contentType: a.contentType, content: a.content }));
    },
    /** One attachment with its bytes (downloads). */
    async attachment(id: number): Promise<AttachmentRow | null> {
      const a = Number.isSafeInteger(id) ? await Attachment.findByPk(id) : null;
      return a ? plain<AttachmentRow>(a) : null;
    },
    async events(ticketId: number): Promise<EventRow[]> {
      return (await AuditEvent.findAll({ where: { ticketId }, order: [['id', 'ASC']] })).map((e) => plain<EventRow>(e));
    },
    async feedback(ticketId: number): Promise<FeedbackRow | null> {
      const f = await Feedback.findOne({ where: { ticketId } });
      return f ? plain<FeedbackRow>(f) : null;
    },
    /** The AI agent's latest answer on a ticket (the widget shows it right away). */
    async aiAnswer(ticketId: number): Promise<string | null> {
      const m = await Message.findOne({
        where: { ticketId, authorKind: 'ai' },
        order: [['id', 'DESC']],
        attributes: ['text'],
      });
      return m?.text ?? null;
    },
    /** A ticket only if it belongs to `email` (and, for widget tokens, is one of `ids`); else null. */
    async owned(refOrId: string | number, email: string, ids?: number[]): Promise<TicketRow | null> {
      const t = await reads.find(refOrId);
      if (!t || (ids && !ids.includes(t.id))) return null;
      const r = await Requester.findByPk(t.requesterId, { attributes: ['email'] });
      return r && r.email.toLowerCase() === email.toLowerCase() ? t : null;
    },
    /** The tickets of `email` among `ids` (the widget's list), newest first. */
    async ownedList(email: string, ids: number[]): Promise<TicketRow[]> {
      const r = await Requester.findOne({ where: { email: email.toLowerCase() }, attributes: ['id'] });
      if (!r || !ids.length) return [];
      const rows = await Ticket.findAll({
        where: { requesterId: r.id, id: { [Op.in]: ids } },
        order: [['id', 'DESC']],
        limit: 50,
        include: [assignee],
      });
      return rows.map((t) => plain<TicketRow>(t));
    },
    /** The ticket holding a message with one of these Message-IDs (threading), newest first. */
    async ticketIdByMessageIds(messageIds: string[]): Promise<number | null> {
      if (!messageIds.length) return null;
      const m = await Message.findOne({
        where: { emailMessageId: { [Op.in]: messageIds } },
        order: [['id', 'DESC']],
        attributes: ['ticketId'],
      });
      return m?.ticketId ?? null;
    },
    /** Whether `email` is the ticket's requester or its assignee. */
    async isParticipant(ticket: TicketRow, email: string): Promise<boolean> {
      const addr = email.toLowerCase();
      const r = await Requester.findByPk(ticket.requesterId, { attributes: ['email'] });
      if (r?.email === addr) return true;
      if (!ticket.assigneeId) return false;
      const a = await Agent.findByPk(ticket.assigneeId, { attributes: ['email'] });
      return a?.email === addr;
    },
    /** Resolved or closed tickets whose triage an agent corrected: what the local classifier learns from. */
    async corrections(): Promise<TrainingExample[]> {
      const rows = await Ticket.findAll({
        where: { corrected: true, status: { [Op.in]: ['resolved', 'closed'] } },
        attributes: ['subject', 'description', 'category', 'severity', 'urgency'],
        order: [['id', 'ASC']],
        limit: 20_000,
      });
      return rows
        .filter((r) => isCategory(r.category) && isLevel(r.severity) && isLevel(r.urgency))
        .map((r) => ({
          text: `${r.subject}\n${r.description}`,
          category: r.category,
          severity: r.severity,
          urgency: r.urgency,
        }));
    },
    /**
     * The newest resolved or closed tickets of a category that have a resolution (the console's "similar resolved
     * tickets" ranks them), without `excludeId`. The (category, created_at) index serves it newest first.
     */
    async resolvedInCategory(category: string, excludeId: number, limit = 300) {
      const rows = await Ticket.findAll({
        where: {
          category,
          status: { [Op.in]: ['resolved', 'closed'] },
          resolution: { [Op.ne]: null },
          id: { [Op.ne]: excludeId },
        },
        attributes: ['id', 'ref', 'subject', 'description', 'resolution'],
        order: [['createdAt', 'DESC']],
        limit,
      });
      return rows.map((r) => ({
        id: r.id,
        ref: r.ref,
        subject: r.subject,
        description: r.description.slice(0, 4000),
        resolution: r.resolution ?? '',
      }));
    },
    /** Ids of tickets stored but never triaged (the process died in between), older than `olderThan`. */
    async untriaged(olderThan: Date, limit = 50): Promise<number[]> {
      const rows = await Ticket.findAll({
        where: { status: 'new', createdAt: { [Op.lt]: olderThan } },
        attributes: ['id'],
        limit,
      });
      return rows.map((r) => r.id);
    },
  };
  return reads;
}

export type TicketReads = ReturnType<typeof createTicketReads>;

/** The statuses that still need someone, for filters. */
export const WORKING_STATUSES: Status[] = [...OPEN_STATUSES];
