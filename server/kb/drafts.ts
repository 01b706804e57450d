/**
 * Review of knowledge-base drafts (issue 11, item 7): entries made from closed tickets wait here, unpublished, until
 * an agent edits and publishes them, merges them into an existing entry, or discards them. Discarding and merging
 * delete the draft, and publishing clears its list of removed personal data: nothing personal is kept longer
 * than the review needs.
 */
import type { KbEntry, Models } from '../db/models.js';
import { transaction as tx } from '../db/tx.js';
import type { KbHit, KbSearch } from './search.js';
import { searchDocument } from './terms.js';

/** A draft whose query matches a published entry this well is offered to the agent as a merge first. */
export const MERGE_SCORE = 0.75;

/** The text an agent approves: what becomes public (title, resolution) and what is only indexed (query). */
export interface DraftText {
  title: string;
  query: string;
  resolution: string;
  /**
   * The known issue the entry answers (a template's issue), or '' for none: an entry tied to an issue is a candidate
   * for AI answers and suggestions like the templates; without one it counts only on a close, clearly best word match.
   * Undefined: unchanged.
   */
  issue?: string;
}

const clean = (d: DraftText) => ({
  title: d.title.trim().slice(0, 300),
  query: d.query.replace(/\r\n/g, '\n').trim().slice(0, 20_000),
  resolution: d.resolution.replace(/\r\n/g, '\n').trim().slice(0, 100_000),
});

export function createKbDrafts(deps: { models: Models; search: KbSearch }) {
  const { KbEntry } = deps.models;
  const byId = (id: number) =>
    Number.isSafeInteger(id) ? KbEntry.findOne({ where: { id, draft: true } }) : Promise.resolve(null);

  /** The known issues (those of the templates), by slug, with their article's title. */
  async function knownIssues(): Promise<Map<string, string>> {
    const rows = await KbEntry.findAll({ where: { source: 'template' }, attributes: ['issue', 'title'] });
    return new Map(rows.filter((r) => r.issue).map((r) => [r.issue!, r.title]));
  }
  /** The issue field of an agent's edit: a known slug, null for none, undefined to leave it (unknown values too). */
  async function issueOf(d: DraftText): Promise<{ issue?: string | null }> {
    if (d.issue === undefined) return {};
    if (!d.issue) return { issue: null };
    return (await knownIssues()).has(d.issue) ? { issue: d.issue } : {};
  }

  return {
    knownIssues,
    /** Drafts waiting for review, newest first. */
    drafts: (limit = 100) => KbEntry.findAll({ where: { draft: true }, order: [['id', 'DESC']], limit }),
    countDrafts: () => KbEntry.count({ where: { draft: true } }),
    draft: byId,

    /** Published entries the draft may repeat, best first; `merge` marks those at or above MERGE_SCORE. */
    async similar(d: KbEntry, limit = 3): Promise<(KbHit & { merge: boolean })[]> {
      const hits = await deps.search.search(d.query, { category: d.category, limit });
      return hits.filter((h) => h.id !== d.id).map((h) => ({ ...h, merge: h.score >= MERGE_SCORE }));
    },

    /** Keeps the agent's edits; still a draft. */
    async save(id: number, text: DraftText) {
      const d = await byId(id);
      if (!d) return null;
      const t = clean(text);
      return d.update({ ...t, ...(await issueOf(text)), searchText: searchDocument(t.title, t.query, t.resolution) });
    },

    /** Publishes the draft with the agent's text: searchable from now on. */
    async publish(id: number, text: DraftText) {
      const t = clean(text);
      const [n] = await KbEntry.update(
        {
          ...t,
          ...(await issueOf(text)),
          searchText: searchDocument(t.title, t.query, t.resolution),
          draft: false,
          published: true,
          redactions: null,
        },
        { where: { id, draft: true } },
      );
      deps.search.invalidate();
      return n > 0 ? KbEntry.findByPk(id) : null;
    },

    /** Deletes a draft (with the personal data it listed). */
    async discard(id: number) {
      const n = Number.isSafeInteger(id) ? await KbEntry.destroy({ where: { id, draft: true } }) : 0;
      return n > 0;
    },

    /**
     * Merges a draft into a reviewed entry: the entry learns the draft's wording of the problem (its query, as the
     * agent left it) and counts its ticket; the entry's public text stays as it is. The draft is deleted.
     */
    async merge(id: number, intoId: number, query: string): Promise<KbEntry | null> {
      if (!Number.isSafeInteger(intoId) || intoId === id) return null;
      const merged = await tx(KbEntry.sequelize!, async (transaction) => {
        const d = await KbEntry.findOne({ where: { id, draft: true }, transaction, lock: transaction.LOCK.UPDATE });
        const into = await KbEntry.findOne({
          where: { id: intoId, draft: false },
          transaction,
          lock: transaction.LOCK.UPDATE,
        });
        if (!d || !into) return null;
        const q = `${into.query}\n${clean({ title: '', query, resolution: '' }).query}`.slice(0, 60_000);
        await into.update(
          { query: q, hits: into.hits + d.hits, searchText: searchDocument(into.title, q, into.resolution) },
          { transaction },
        );
        await d.destroy({ transaction });
        return into;
      });
      deps.search.invalidate();
      return merged;
    },
  };
}
