/**
 * A small in-process event bus between the ticket service (main.ts connects TicketDeps.onChange to publish) and
 * the analytics SSE streams. In-process only: a change made by another server process reaches this one's
 * streams through the periodic refresh in stream.ts instead.
 */
import type { Ticket } from '../db/models.js';

/** What a subscriber learns about a change (ids only: subscribers recompute from the database). */
export interface TicketChange {
  ticketId: number;
  action: string;
  /** When the ticket was created (ms): a stream whose date range excludes it need not recompute. */
  createdAt: number | null;
  at: number;
}

export type ChangeListener = (change: TicketChange) => void;

/** Creates the bus. */
export function createAnalyticsEvents() {
  const listeners = new Set<ChangeListener>();
  return {
    /** Announces a ticket change; listener errors never reach the ticket service. */
    publish(ticket: Pick<Ticket, 'id'> & { createdAt?: Date | null }, action: string): void {
      const change: TicketChange = {
        ticketId: ticket.id,
        action,
        createdAt: ticket.createdAt ? new Date(ticket.createdAt).getTime() : null,
        at: Date.now(),
      };
      for (const l of listeners) {
        try {
          l(change);
        } catch {
          // A broken stream must not break ticket handling; the stream cleans itself up on abort.
        }
      }
    },
    /** Registers a listener; returns its unsubscribe function. */
    subscribe(listener: ChangeListener): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    /** How many streams listen (for /metrics and tests). */
    get size() {
      return listeners.size;
    },
  };
}

export type AnalyticsEvents = ReturnType<typeof createAnalyticsEvents>;
