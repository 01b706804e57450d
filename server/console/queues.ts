/** The console's queues (pool, mine, escalated, all) as database queries, with filters and per-queue counts. */
import { OPEN_STATUSES, STATUSES, type Status } from '../domain/vocabulary.js';
import type { TicketFilter, TicketReads } from '../tickets/reads.js';
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
function queueFilter(queue: QueueName, agentId: number, f: QueueFilter): TicketFilter {
  return {
    ...(queue === 'pool' ? { route: 'pool' as const, assigneeId: null } : {}),
    ...(queue === 'mine' ? { assigneeId: agentId } : {}),
    ...(queue === 'escalated' ? { escalated: true } : {}),
    status: f.status ? [f.status as Status] : queue === 'all' ? undefined : [...OPEN_STATUSES],
    // A major incident's children are handled as one, in the incidents queue.
    ...(queue === 'all' ? {} : { inIncident: false }),
    category: f.category,
    severity: f.severity,
    devCenter: f.devCenter,
  };
}

/** The queue reader, over the ticket room's read model. */
export function createQueues(reads: TicketReads) {
  return {
    /** One page of a queue: oldest first in working queues (most severe first would hide old tickets). */
    list(queue: QueueName, agentId: number, f: QueueFilter, pageNo = 1) {
      const offset = (Math.max(1, pageNo) - 1) * PAGE_SIZE;
      return reads.list(queueFilter(queue, agentId, f), { limit: PAGE_SIZE, offset, oldestFirst: queue !== 'all' });
    },
    /** Count of every queue under the same filters (the tab badges). */
    async counts(agentId: number, f: QueueFilter): Promise<Record<QueueName, number>> {
      const entries = await Promise.all(
        QUEUES.map(async (q) => [q, await reads.count(queueFilter(q, agentId, f))] as const),
      );
      return Object.fromEntries(entries) as Record<QueueName, number>;
    },
    /** Development centres seen on tickets (for the filter menu). */
    devCenters: () => reads.devCenters(),
  };
}

export type Queues = ReturnType<typeof createQueues>;
