/** Knowledge-base entries: seeded from resolution templates, grown from closed tickets, near-duplicates merged. */
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { KbEntry, Models } from '../db/models.js';
import type { Category, Level } from '../domain/vocabulary.js';
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

/** What the KB needs of a closed ticket (the ticket service hands over a snapshot). */
export interface ClosedTicket {
  id: number;
  subject: string;
  description: string;
  category: Category;
  severity: Level;
  urgency: Level;
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
    async fromClosedTicket(
      transaction: Transaction,
      ticket: ClosedTicket,
      resolution: string,
    ): Promise<KbEntry | null> {
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

    /** "This solved it" on a suggestion: a problem solved without a ticket (analytics counts them). */
    async recordDeflection(d: {
      kbEntryId: number | null;
      query: string | null;
      devCenter: string | null;
      email: string | null;
      at?: Date;
    }) {
      const { Deflection } = deps.models;
      const at = d.at ?? new Date();
      const { at: _, ...row } = d;
      return Deflection.create({ ...row, createdAt: at, updatedAt: at }, { silent: true });
    },

    /** Entries for curation, most used first: title search, category and publication filters. */
    list(f: { titleContains?: string; category?: string; published?: boolean }, limit = 100) {
      const where: Record<string | symbol, unknown> = {};
      // Wildcards are dropped rather than escaped: LIKE escaping differs between SQLite and MySQL.
      if (f.titleContains) where.title = { [Op.like]: `%${f.titleContains.replace(/[%_\\]/g, '')}%` };
      if (f.category) where.category = f.category;
      if (f.published !== undefined) where.published = f.published;
      return KbEntry.findAll({
        where: where as WhereOptions<KbEntry>,
        order: [
          ['hits', 'DESC'],
          ['id', 'ASC'],
        ],
        limit,
      });
    },

    /** A published entry by id, or null. */
    published: (id: number) =>
      Number.isSafeInteger(id) ? KbEntry.findOne({ where: { id, published: true } }) : Promise.resolve(null),

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
