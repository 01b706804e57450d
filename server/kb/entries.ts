/** Knowledge-base entries: seeded from resolution templates, grown from closed tickets, near-duplicates merged. */
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { KbEntry, Models } from '../db/models.js';
import type { Category, Level } from '../domain/vocabulary.js';
import type { KbSearch } from './search.js';
import { createKbDrafts } from './drafts.js';
import { createKbOutcomes } from './outcomes.js';
import { transaction as tx } from '../db/tx.js';
import { type Personal, redact } from './redact.js';
import { searchDocument } from './terms.js';

export { MERGE_SCORE } from './drafts.js';

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
  /** 'suggestion': the requester confirmed an existing entry solved it; nothing new to learn from its text. */
  resolvedBy?: string | null;
  /** The triage record: the issue the answer plan found, offered to the reviewing agent as the draft's issue. */
  triage?: Readonly<Record<string, unknown>> | null;
}

/** The known issue the answer plan found for a ticket, when the request sounded like it (else null). */
export function triageIssue(triage: ClosedTicket['triage']): string | null {
  const e = (triage?.answer as { evidence?: Record<string, unknown> } | undefined)?.evidence;
  const issue = (e?.issue as { name?: unknown } | null | undefined)?.name;
  const checks = Array.isArray(e?.checks) ? (e.checks as { name?: unknown; ok?: unknown }[]) : [];
  const sure = ['scope', 'strength'].every((n) => checks.find((c) => c.name === n)?.ok === true);
  return typeof issue === 'string' && sure ? issue : null;
}

export function createKb(deps: { models: Models; search: KbSearch }) {
  const { KbEntry } = deps.models;
  const outcomes = createKbOutcomes({ sequelize: KbEntry.sequelize!, models: deps.models });
  return {
    ...createKbDrafts(deps),
    /** What worked: solved counts and, per kind of request, what did not help (outcomes.ts). */
    outcomes,
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

    /**
     * Turns a closed ticket into a draft entry (or refreshes the draft it already has). Nothing from a ticket is
     * searchable until an agent publishes it: a requester closing their own ticket could otherwise put any text
     * into the answers everyone gets (issue 11, item 7). Obvious personal data is taken out first, and listed for
     * the agent; merging into a near-duplicate is the agent's choice on the drafts page, not automatic. The caller
     * holds the ticket's row lock in `transaction`.
     */
    async fromClosedTicket(
      transaction: Transaction,
      ticket: ClosedTicket,
      resolution: string,
      personal: Personal = { names: [], emails: [] },
    ): Promise<KbEntry | null> {
      if (!resolution.trim() || !ticket.category || ticket.resolvedBy === 'suggestion') return null;
      const title = redact(ticket.subject.slice(0, 300), personal);
      const query = redact(`${ticket.subject}\n${ticket.description}`.slice(0, 4000), personal);
      const answer = redact(resolution, personal);
      const removed = [...title.removed, ...query.removed, ...answer.removed].filter(
        (r, i, all) => all.findIndex((o) => o.kind === r.kind && o.text === r.text) === i,
      );
      const fields = {
        title: title.text.slice(0, 300),
        query: query.text,
        resolution: answer.text,
        category: ticket.category,
        severity: ticket.severity,
        urgency: ticket.urgency,
        searchText: searchDocument(title.text, query.text, answer.text),
        redactions: removed,
      };
      // A plain read: the caller holds the ticket's row lock (it is closing it), which already serializes drafts of
      // this ticket. A locking read of a draft that does not exist yet would take a gap lock in InnoDB, and two
      // tickets closed at once would deadlock on their inserts (issue 12).
      const existing = await KbEntry.findOne({ where: { sourceTicketId: ticket.id, draft: true }, transaction });
      if (existing) return existing.update(fields, { transaction });
      return KbEntry.create(
        {
          ...fields,
          issue: triageIssue(ticket.triage),
          source: 'ticket',
          sourceTicketId: ticket.id,
          published: false,
          draft: true,
        },
        { transaction },
      );
    },

    /**
     * "This solved it" on a suggestion while typing: a problem solved without a ticket (analytics counts them), and
     * one more requester for whom the entry worked.
     */
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
      return tx(KbEntry.sequelize!, async (transaction) => {
        const made = await Deflection.create({ ...row, createdAt: at, updatedAt: at }, { silent: true, transaction });
        if (d.kbEntryId) await outcomes.record(transaction, d.kbEntryId, [], 'solved');
        return made;
      });
    },

    /** Reviewed entries for curation (drafts have their own page), most used first: title, category, publication. */
    list(f: { titleContains?: string; category?: string; published?: boolean }, limit = 100) {
      const where: Record<string | symbol, unknown> = { draft: false };
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
      Number.isSafeInteger(id)
        ? KbEntry.findOne({ where: { id, published: true, draft: false } })
        : Promise.resolve(null),

    /** Edits a reviewed entry's text or publication (agents curate the KB); drafts go through review instead. */
    async update(id: number, patch: { title?: string; resolution?: string; published?: boolean }) {
      const e = Number.isSafeInteger(id) ? await KbEntry.findOne({ where: { id, draft: false } }) : null;
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
