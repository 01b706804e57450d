/**
 * What the knowledge base learns from requesters (issue 13, item 5). A confirmed answer or suggestion ("this solved
 * it", a closing reply, the widget's deflection) grows the entry's solved count, which ranks it above entries nobody
 * confirmed; an answer that did not help counts against the entry for that kind of request only (the issue the
 * request was about, or its category), so an article that keeps failing for one kind stops being offered for it
 * and still serves the others. Counts are atomic upserts: several server processes may record at once.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Models } from '../db/models.js';
import { transaction } from '../db/tx.js';

export type Outcome = 'solved' | 'failed';

/** An entry's record for one kind of request. */
export interface OutcomeCounts {
  solved: number;
  failed: number;
}

/** Kinds of request an outcome counts for: the issue it was about (when known) and its category. */
export function outcomeKinds(issue: string | null | undefined, category: string | null | undefined): string[] {
  return [issue ? `issue:${issue}` : null, category ? `category:${category}` : null]
    .filter((k): k is string => !!k)
    .map((k) => k.slice(0, 120));
}

const UPSERT = {
  mysql:
    'INSERT INTO kb_outcomes (kb_entry_id, kind, solved, failed, created_at, updated_at) VALUES (:id, :kind, :s, :f, :now, :now) ' +
    'ON DUPLICATE KEY UPDATE solved = solved + :s, failed = failed + :f, updated_at = :now',
  sqlite:
    'INSERT INTO kb_outcomes (kb_entry_id, kind, solved, failed, created_at, updated_at) VALUES (:id, :kind, :s, :f, :now, :now) ' +
    'ON CONFLICT (kb_entry_id, kind) DO UPDATE SET solved = solved + :s, failed = failed + :f, updated_at = :now',
};

export function createKbOutcomes(deps: { sequelize: Sequelize; models: Models; clock?: () => Date }) {
  const { sequelize } = deps;
  const { KbEntry, KbOutcome } = deps.models;
  const upsert = sequelize.getDialect() === 'sqlite' ? UPSERT.sqlite : UPSERT.mysql;
  // Most helpdesks start with no record at all: then each ticket's plan skips the look-up. Re-checked every minute
  // (another process may have recorded one); this process knows at once.
  let any: boolean | null = null;
  let anyAt = 0;
  const hasAny = async () => {
    if (any === true) return true;
    if (any === false && Date.now() - anyAt < 60_000) return false;
    any = !!(await KbOutcome.findOne({ attributes: ['id'] }));
    anyAt = Date.now();
    return any;
  };

  async function write(t: Transaction, entryId: number, kinds: string[], outcome: Outcome): Promise<boolean> {
    // The entry may be gone (merged, deleted) since the ticket was answered: then there is nothing to learn.
    if (!(await KbEntry.count({ where: { id: entryId }, transaction: t }))) return false;
    any = true;
    if (outcome === 'solved')
      await sequelize.query('UPDATE kb_entries SET solved = solved + 1 WHERE id = :id', {
        replacements: { id: entryId },
        transaction: t,
      });
    const now = deps.clock?.() ?? new Date();
    const [s, f] = outcome === 'solved' ? [1, 0] : [0, 1];
    for (const kind of new Set(kinds))
      await sequelize.query(upsert, { replacements: { id: entryId, kind, s, f, now }, transaction: t });
    return true;
  }

  return {
    /** Records that `entryId` solved (or did not help) a request of these kinds, in `t` or a transaction of its own. */
    async record(t: Transaction | null, entryId: number, kinds: string[], outcome: Outcome): Promise<boolean> {
      if (!Number.isSafeInteger(entryId) || entryId <= 0) return false;
      return t ? write(t, entryId, kinds, outcome) : transaction(sequelize, (tx) => write(tx, entryId, kinds, outcome));
    },

    /** The records of these entries, by entry id and kind (only rows that exist). */
    async counts(entryIds: number[]): Promise<Map<number, Map<string, OutcomeCounts>>> {
      const out = new Map<number, Map<string, OutcomeCounts>>();
      const ids = [...new Set(entryIds)].filter((i) => Number.isSafeInteger(i));
      if (!ids.length || !(await hasAny())) return out;
      const rows = await sequelize.query<{ kb_entry_id: number; kind: string; solved: number; failed: number }>(
        'SELECT kb_entry_id, kind, solved, failed FROM kb_outcomes WHERE kb_entry_id IN (:ids)',
        { type: QueryTypes.SELECT, replacements: { ids } },
      );
      for (const r of rows) {
        const m =
          out.get(Number(r.kb_entry_id)) ?? out.set(Number(r.kb_entry_id), new Map()).get(Number(r.kb_entry_id))!;
        m.set(r.kind, { solved: Number(r.solved), failed: Number(r.failed) });
      }
      return out;
    },

    /** One entry's records, for the console (kind → counts). */
    async of(entryId: number) {
      return KbOutcome.findAll({ where: { kbEntryId: entryId }, order: [['kind', 'ASC']] });
    },
  };
}

export type KbOutcomes = ReturnType<typeof createKbOutcomes>;
