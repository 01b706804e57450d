/** Knowledge-base entries: seeded from resolution templates, grown from closed tickets, near-duplicates merged. */
import type { Transaction } from 'sequelize';
import type { KbEntry, Models, Ticket } from '../db/models.js';
import type { KbSearch } from './search.js';
import { searchDocument } from './terms.js';

/** A closed ticket whose query matches an existing ticket-made entry this well merges into it. */
export const MERGE_SCORE = 0.75;

export interface ResolutionTemplate {
  category: string;
  issue: string;
  title: string;
  resolution: string;
  keywords?: string[];
}

export function createKb(deps: { models: Models; search: KbSearch }) {
  const { KbEntry } = deps.models;
  return {
    /**
     * Loads the seeds' resolution templates as the first entries (skips those already there). `phrasings` are
     * how employees describe each issue (the seed tickets): indexed with the entry, as closed tickets' queries are,
     * so a search in the user's own words ("notebook won't start") finds the article ("Laptop won't power on").
     */
    async seedTemplates(
      templates: ResolutionTemplate[],
      phrasings: Map<string, string[]> = new Map(),
      transaction?: Transaction,
    ) {
      const have = new Set(
        (await KbEntry.findAll({ where: { source: 'template' }, attributes: ['issue'], transaction })).map(
          (e) => e.issue,
        ),
      );
      const fresh = templates.filter((t) => !have.has(t.issue));
      await KbEntry.bulkCreate(
        fresh.map((t) => ({
          title: t.title,
          query: t.title,
          resolution: t.resolution,
          category: t.category,
          severity: 'low',
          urgency: 'low',
          issue: t.issue,
          source: 'template' as const,
          sourceTicketId: null,
          searchText: searchDocument(
            t.title,
            (t.keywords ?? []).join(' '),
            t.resolution,
            ...(phrasings.get(t.issue) ?? []),
          ),
        })),
        { transaction },
      );
      deps.search.invalidate();
      return fresh.length;
    },

    /** Turns a closed ticket into an entry, or merges it into a near-duplicate made from earlier tickets. */
    async fromClosedTicket(transaction: Transaction, ticket: Ticket, resolution: string): Promise<KbEntry | null> {
      if (!resolution.trim() || !ticket.category) return null;
      const query = `${ticket.subject}\n${ticket.description}`.slice(0, 4000);
      const [best] = await deps.search.search(query, { category: ticket.category, limit: 1 });
      if (best && best.source === 'ticket' && best.score >= MERGE_SCORE) {
        const entry = await KbEntry.findByPk(best.id, { transaction });
        if (entry) {
          await entry.increment('hits', { transaction });
          return entry;
        }
      }
      const entry = await KbEntry.create(
        {
          title: ticket.subject.slice(0, 300),
          query,
          resolution,
          category: ticket.category,
          severity: ticket.severity,
          urgency: ticket.urgency,
          issue: null,
          source: 'ticket',
          sourceTicketId: ticket.id,
          searchText: searchDocument(ticket.subject, ticket.description, resolution),
        },
        { transaction },
      );
      deps.search.invalidate();
      return entry;
    },

    /** Edits an entry's text or publication (agents curate the KB). */
    async update(id: number, patch: { title?: string; resolution?: string; published?: boolean }) {
      const e = await KbEntry.findByPk(id);
      if (!e) return null;
      const next = { ...patch } as Partial<KbEntry>;
      if (patch.title !== undefined || patch.resolution !== undefined) {
        next.searchText = searchDocument(patch.title ?? e.title, e.query, patch.resolution ?? e.resolution);
      }
      await e.update(next);
      deps.search.invalidate();
      return e;
    },
  };
}

export type Kb = ReturnType<typeof createKb>;
