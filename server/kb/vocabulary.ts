/**
 * The KB search vocabulary: every index term with its document frequency, and the terms by length for typo
 * look-ups. Loaded whole once; after that it follows kb_vocab_changes, a row per change of an entry's words or
 * publication written by triggers on kb_entries (migration 0020), so a change made by any process or writer costs
 * the next search only the terms of the entries that changed, not a reload of the whole index (139 ms at 100,000
 * entries on SQLite before).
 *
 * SQLite reads the changed terms' frequencies back from the FTS index itself (fts5vocab), so they are exact and
 * reading one twice is harmless. MySQL has no portable view of its FULLTEXT index: frequencies are counted from
 * search_text, each change subtracting the entry's words as they were and adding them as they are now, so each
 * change row must be applied exactly once. Change ids are auto-increment values, which InnoDB hands out before
 * commit: a row is only taken as the floor of the next read once it is SETTLE_SECONDS old, and the rows above the
 * floor already applied are remembered. (A KB transaction open longer than that could be missed until the next
 * full load.)
 */
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { dialectOf, type Dialect } from '../db/database.js';

export const VOCAB_CHANGES = 'kb_vocab_changes';
const SETTLE_SECONDS = 30;
/** More changes than this since the last look (a bulk import): a full load is cheaper than applying them. */
const FULL_AT = 5000;
/** Changes are kept this long; a process that has not looked for half of it loads again in full. */
const KEEP_HOURS = 24;

const nowSql = (d: Dialect, minusSeconds = 0) =>
  d === 'sqlite'
    ? `strftime('%Y-%m-%d %H:%M:%f', 'now', '-${minusSeconds} seconds')`
    : `NOW(3) - INTERVAL ${minusSeconds} SECOND`;

export const VOCAB_TRIGGERS = ['kb_vocab_ai', 'kb_vocab_au', 'kb_vocab_ad'];

/** Triggers that log every change of an entry's search words or publication. */
export function vocabTriggerStatements(d: Dialect): string[] {
  const log = (id: string, text: string, published: string) =>
    `INSERT INTO ${VOCAB_CHANGES} (entry_id, old_text, old_published, created_at) VALUES (${id}, ${text}, ${published}, ${nowSql(d)});`;
  const each = d === 'mysql' ? ' FOR EACH ROW' : '';
  const changed =
    d === 'mysql' ? 'IF NOT (OLD.search_text <=> NEW.search_text) OR NOT (OLD.published <=> NEW.published) THEN ' : '';
  return [
    `CREATE TRIGGER kb_vocab_ai AFTER INSERT ON kb_entries${each} BEGIN ${log('NEW.id', 'NULL', '0')} END`,
    `CREATE TRIGGER kb_vocab_au AFTER UPDATE${d === 'sqlite' ? ' OF search_text, published' : ''} ON kb_entries${each} BEGIN ${changed}${log('NEW.id', 'OLD.search_text', 'OLD.published')}${changed ? ' END IF;' : ''} END`,
    `CREATE TRIGGER kb_vocab_ad AFTER DELETE ON kb_entries${each} BEGIN ${log('OLD.id', 'OLD.search_text', 'OLD.published')} END`,
  ];
}

interface Change {
  seq: number | string;
  entry_id: number;
  old_text: string | null;
  old_published: number | boolean | null;
  search_text: string | null;
  published: number | boolean | null;
  settled: number | string;
}

const termsOf = (text: string | null) => new Set((text ?? '').split(' ').filter(Boolean));
/** The tokens FTS5's unicode61 tokenizer makes of a term (lower case, no diacritics, split at other characters). */
const ftsTokens = (t: string) =>
  t
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{Co}]+/u)
    .filter(Boolean);

function insertSorted(xs: string[], t: string) {
  let lo = 0,
    hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  xs.splice(lo, 0, t);
}
function removeSorted(xs: string[], t: string) {
  let lo = 0,
    hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  if (xs[lo] === t) xs.splice(lo, 1);
}

export function createVocabulary(sequelize: Sequelize) {
  const d = dialectOf(sequelize);
  const df = new Map<string, number>();
  // Sorted, so typo candidates come in the same order in every process, however its vocabulary was built.
  const byLen = new Map<number, string[]>();
  let docs = 1;
  let loaded = false;
  let floor = 0;
  let applied = new Set<number>();
  let lookedAt = 0;
  let prunedAt = 0;

  const setDf = (t: string, n: number) => {
    const had = df.has(t);
    if (n > 0) {
      df.set(t, n);
      if (!had) insertSorted(byLen.get(t.length) ?? byLen.set(t.length, []).get(t.length)!, t);
    } else if (had) {
      df.delete(t);
      removeSorted(byLen.get(t.length) ?? [], t);
    }
  };
  const select = <T extends object>(
    sql: string,
    replacements: Record<string, unknown> = {},
    transaction?: Transaction,
  ) => sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction });
  const vocabTable = (transaction?: Transaction) =>
    sequelize.query(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_vocab USING fts5vocab(main, 'kb_fts', 'row')`, {
      transaction,
    });

  /** Everything again, from one snapshot of the index and the change log. */
  async function loadAll() {
    const type = Transaction.TYPES.DEFERRED; // SQLite: a read snapshot, not the write lock
    await sequelize.transaction(d === 'sqlite' ? { type } : {}, async (transaction) => {
      const [{ m } = { m: 0 }] = await select<{ m: number | null }>(
        `SELECT MAX(seq) m FROM ${VOCAB_CHANGES} WHERE created_at < ${nowSql(d, SETTLE_SECONDS)}`,
        {},
        transaction,
      );
      floor = Number(m ?? 0);
      const above = await select<{ seq: number }>(
        `SELECT seq FROM ${VOCAB_CHANGES} WHERE seq > :floor`,
        { floor },
        transaction,
      );
      applied = new Set(above.map((r) => Number(r.seq)));
      df.clear();
      byLen.clear();
      if (d === 'sqlite') {
        await vocabTable(transaction);
        for (const r of await select<{ term: string; doc: number }>(
          'SELECT term, doc FROM temp.kb_vocab',
          {},
          transaction,
        ))
          df.set(r.term, Number(r.doc));
      } else {
        const rows = await select<{ search_text: string }>(
          'SELECT search_text FROM kb_entries WHERE published = 1',
          {},
          transaction,
        );
        for (const r of rows) for (const t of termsOf(r.search_text)) df.set(t, (df.get(t) ?? 0) + 1);
      }
      for (const t of df.keys()) (byLen.get(t.length) ?? byLen.set(t.length, []).get(t.length)!).push(t);
      for (const xs of byLen.values()) xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const [{ n } = { n: 0 }] = await select<{ n: number }>(
        'SELECT COUNT(*) n FROM kb_entries WHERE published = 1',
        {},
        transaction,
      );
      docs = Math.max(1, Number(n));
    });
    loaded = true;
  }

  /** Applies the changes logged since the last look; false when a full load is due instead. */
  async function applyChanges(): Promise<boolean> {
    const rows = await select<Change>(
      `SELECT c.seq, c.entry_id, c.old_text, c.old_published, k.search_text, k.published,
         CASE WHEN c.created_at < ${nowSql(d, SETTLE_SECONDS)} THEN 1 ELSE 0 END settled
       FROM ${VOCAB_CHANGES} c LEFT JOIN kb_entries k ON k.id = c.entry_id WHERE c.seq > :floor ORDER BY c.seq LIMIT ${FULL_AT + 1}`,
      { floor },
    );
    if (rows.length > FULL_AT) return false;
    // Per entry: how it was when this process last counted it (its first new change's old side), how it is now.
    const entries = new Map<number, Change>();
    for (const r of rows) if (!applied.has(Number(r.seq)) && !entries.has(r.entry_id)) entries.set(r.entry_id, r);
    for (const r of rows) applied.add(Number(r.seq));
    const on = (v: number | boolean | null) => Boolean(Number(v ?? 0));
    for (const c of entries.values()) docs += (on(c.published) ? 1 : 0) - (on(c.old_published) ? 1 : 0);
    docs = Math.max(1, docs);
    if (d === 'sqlite') {
      const touched = new Set<string>();
      for (const c of entries.values())
        for (const text of [c.old_text, c.search_text])
          for (const t of termsOf(text)) for (const k of ftsTokens(t)) touched.add(k);
      const list = [...touched];
      if (list.length) await vocabTable();
      for (let i = 0; i < list.length; i += 500) {
        const part = list.slice(i, i + 500);
        const got = new Map(
          (
            await select<{ term: string; doc: number }>('SELECT term, doc FROM temp.kb_vocab WHERE term IN (:part)', {
              part,
            })
          ).map((r) => [r.term, Number(r.doc)]),
        );
        for (const t of part) setDf(t, got.get(t) ?? 0);
      }
    } else {
      for (const c of entries.values()) {
        if (on(c.old_published)) for (const t of termsOf(c.old_text)) setDf(t, (df.get(t) ?? 0) - 1);
        if (on(c.published)) for (const t of termsOf(c.search_text)) setDf(t, (df.get(t) ?? 0) + 1);
      }
    }
    // The floor moves over the leading rows old enough that nothing below them can still commit.
    for (const r of rows) {
      if (!Number(r.settled)) break;
      floor = Number(r.seq);
    }
    for (const s of applied) if (s <= floor) applied.delete(s);
    return true;
  }

  return {
    /** Brings the vocabulary up to date with the index. */
    async refresh(): Promise<void> {
      const now = Date.now();
      const fresh = loaded && now - lookedAt < (KEEP_HOURS / 2) * 3600_000 && (await applyChanges());
      if (!fresh) await loadAll();
      lookedAt = now;
      if (now - prunedAt > 10 * 60_000) {
        prunedAt = now;
        await sequelize.query(`DELETE FROM ${VOCAB_CHANGES} WHERE created_at < ${nowSql(d, KEEP_HOURS * 3600)}`);
      }
    },
    has: (t: string) => df.has(t),
    df: (t: string) => df.get(t) ?? 0,
    /** Index terms of this length, sorted. */
    ofLength: (len: number): readonly string[] => byLen.get(len) ?? [],
    docs: () => docs,
  };
}

export type Vocabulary = ReturnType<typeof createVocabulary>;
