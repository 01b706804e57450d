/** The console's queues (pool, mine, escalated, all) as database queries, with filters and per-queue counts. */
import { Op, type WhereOptions } from 'sequelize';
import type { Models, Ticket } from '../db/models.js';
import { OPEN_STATUSES, STATUSES } from '../domain/vocabulary.js';
import { CATEGORIES, LEVELS } from '../domain/vocabulary.js';

export const QUEUES = ['pool', 'mine', 'escalated', 'all'] as const;
export type QueueName = (typeof QUEUES)[number];

export interface QueueFilter {
  category?: string;
  severity?: string;
  devCenter?: string;
  status?: string;
}

export const PAGE_SIZE = 50;

/** Keeps only known filter values, so nothing from the query string reaches SQL unchecked. */
export function parseFilter(q: Record<string, string | undefined>): QueueFilter {
  const f: QueueFilter = {};
  if (q.category && (CATEGORIES as readonly string[]).includes(q.category)) f.category = q.category;
  if (q.severity && (LEVELS as readonly string[]).includes(q.severity)) f.severity = q.severity;
  if (q.status && (STATUSES as readonly string[]).includes(q.status)) f.status = q.status;
  if (q.devCenter && q.devCenter.length <= 100) f.devCenter = q.devCenter;
  return f;
}

/**
 * Which tickets a queue holds. Without a status filter, the working queues show what still needs someone
 * (new, open, waiting on the user); "all" shows everything.
 */
function queueWhere(queue: QueueName, agentId: number, f: QueueFilter): WhereOptions<Ticket> {
  const w: Record<string, unknown> = {};
  if (queue === 'pool') Object.assign(w, { route: 'pool', assigneeId: null });
  if (queue === 'mine') w.assigneeId = agentId;
  if (queue === 'escalated') w.escalated = true;
  if (f.status) w.status = f.status;
  else if (queue !== 'all') w.status = { [Op.in]: OPEN_STATUSES };
  if (f.category) w.category = f.category;
  if (f.severity) w.severity = f.severity;
  if (f.devCenter) w.devCenter = f.devCenter;
  return w as WhereOptions<Ticket>;
}

/** Creates the queue reader. */
export function createQueues(models: Models) {
  const { Ticket, Agent } = models;
  return {
    /** One page of a queue, newest first (the most severe first in working queues would hide old tickets). */
    async list(queue: QueueName, agentId: number, f: QueueFilter, pageNo = 1) {
      const { rows, count } = await Ticket.findAndCountAll({
        where: queueWhere(queue, agentId, f),
        include: [{ model: Agent, as: 'assignee', attributes: ['id', 'name', 'kind'] }],
        order: [
          ['createdAt', queue === 'all' ? 'DESC' : 'ASC'],
          ['id', 'ASC'],
        ],
        limit: PAGE_SIZE,
        offset: (Math.max(1, pageNo) - 1) * PAGE_SIZE,
      });
      return { tickets: rows, total: count };
    },
    /** Count of every queue under the same filters (the tab badges). */
    async counts(agentId: number, f: QueueFilter): Promise<Record<QueueName, number>> {
      const entries = await Promise.all(
        QUEUES.map(async (q) => [q, await Ticket.count({ where: queueWhere(q, agentId, f) })] as const),
      );
      return Object.fromEntries(entries) as Record<QueueName, number>;
    },
    /** Development centres seen on tickets (for the filter menu). */
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
  };
}

export type Queues = ReturnType<typeof createQueues>;
