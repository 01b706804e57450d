/**
 * The KB search vocabulary: every index term with its document frequency, and the terms by length for typo
 * look-ups. Loaded whole once; after that it follows kb_vocab_changes, a row per change of an entry's words or
 * publication written by triggers on kb_entries (migration 0020), so a change made by any process or writer costs
 * the next search only the terms of the entries that changed, not a reload of the whole index (139 ms at 100,000
 * entries on SQLite before).
 *
 * A full load reads the frequencies from the index itself on SQLite (fts5vocab) and counts them from search_text
 * on MySQL, which has no portable view of its FULLTEXT index. A change then subtracts the entry's words as they
 * were and adds them as they are now (on SQLite as FTS5's tokenizer splits them; reading the changed terms back
 * from fts5vocab costs as much as their posting lists are long: 40–120 ms for one edit at 30,000 entries), so each
 * change row must be applied exactly once. Change ids are auto-increment values, which InnoDB hands out before
 * commit, so a missing id may still come: reads start after the last id up to which every id was applied, and
 * the ids applied above it are remembered; a gap that stays open SETTLE_SECONDS (a rolled-back transaction) is
 * passed over. (A KB transaction open longer than that, or open during a full load, could be missed until the
 * next full load.)
 */
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { dialectOf, type Dialect } from '../db/database.js';
import { transaction as tx } from '../db/tx.js';

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
    `INSERT INTO ${VOCAB_CHANGES} (entry_id, old_text, old_published, created_at)
     VALUES (${id}, ${text}, ${published}, ${nowSql(d)});`;
  const each = d === 'mysql' ? ' FOR EACH ROW' : '';
  const changed =
    d === 'mysql' ? 'IF NOT (OLD.search_text <=> NEW.search_text) OR NOT (OLD.published <=> NEW.published) THEN ' : '';
  return [
    `CREATE TRIGGER kb_vocab_ai AFTER INSERT ON kb_entries${each} BEGIN ${log('NEW.id', 'NULL', '0')} END`,
    `CREATE TRIGGER kb_vocab_au AFTER UPDATE${d === 'sqlite' ? ' OF search_text, published' : ''} ON kb_entries${each}
     BEGIN ${changed}${log('NEW.id', 'OLD.search_text', 'OLD.published')}${changed ? ' END IF;' : ''} END`,
    `CREATE TRIGGER kb_vocab_ad AFTER DELETE ON kb_entries${each}
     BEGIN ${log('OLD.id', 'OLD.search_text', 'OLD.published')} END`,
  ];
}

interface Change {
  seq: number | string;
  entry_id: number;
  old_text: string | null;
  old_published: number | boolean | null;
  search_text: string | null;
  published: number | boolean | null;
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
  let floor = 0; // every change id up to here is applied
  let applied = new Set<number>(); // ids above the floor applied already
  let gapAt = 0; // when the id after the floor was first found missing
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

  /** Moves the floor over the ids applied, and over a gap open too long. */
  function advance() {
    for (;;) {
      while (applied.delete(floor + 1)) floor++;
      if (!applied.size) {
        gapAt = 0;
        return;
      }
      gapAt ||= Date.now();
      if (Date.now() - gapAt < SETTLE_SECONDS * 1000) return;
      floor++; // given up on: nothing has come for it
      gapAt = 0;
    }
  }

  /** Everything again, from one snapshot of the index and the change log. */
  async function loadAll() {
    const type = Transaction.TYPES.DEFERRED; // SQLite: a read snapshot, not the write lock
    await tx(
      sequelize,
      async (transaction) => {
        const recent = await select<{ seq: number }>(
          `SELECT seq FROM ${VOCAB_CHANGES}
         WHERE seq > (SELECT COALESCE(MAX(seq), 0) - 1000 FROM ${VOCAB_CHANGES}) ORDER BY seq`,
          {},
          transaction,
        );
        floor = recent.length ? Number(recent[0]!.seq) - 1 : 0; // older ones are in this snapshot too
        applied = new Set(recent.map((r) => Number(r.seq)));
        advance();
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
      },
      { options: d === 'sqlite' ? { type } : {} },
    );
    loaded = true;
  }

  /** Applies the changes logged since the last look; false when a full load is due instead. */
  async function applyChanges(): Promise<boolean> {
    const rows = await select<Change>(
      `SELECT c.seq, c.entry_id, c.old_text, c.old_published, k.search_text, k.published
       FROM ${VOCAB_CHANGES} c LEFT JOIN kb_entries k ON k.id = c.entry_id
       WHERE c.seq > :floor ORDER BY c.seq LIMIT ${FULL_AT + 1}`,
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
    // SQLite's index holds every entry, published or not, as FTS5 tokens; MySQL's frequencies count published ones.
    const tokens = (text: string | null) =>
      d === 'sqlite' ? new Set([...termsOf(text)].flatMap(ftsTokens)) : termsOf(text);
    for (const c of entries.values()) {
      if (d === 'sqlite' ? c.old_text !== null : on(c.old_published))
        for (const t of tokens(c.old_text)) setDf(t, (df.get(t) ?? 0) - 1);
      if (d === 'sqlite' ? c.search_text !== null : on(c.published))
        for (const t of tokens(c.search_text)) setDf(t, (df.get(t) ?? 0) + 1);
    }
    advance();
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
