/**
 * Knowledge-base search on the database's own full-text index (SQLite FTS5, MySQL FULLTEXT), so every server
 * process sees the same results. Words are stemmed on both sides; unknown words are corrected against the index
 * vocabulary (small typos); candidates are re-ranked with one score in [0, 1] that means the same on both dialects.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { FastSql } from '../db/fast-sql.js';
import { dialectOf } from '../db/database.js';
import { editDistance, pad, searchTerms } from './terms.js';
import { createVocabulary } from './vocabulary.js';

export interface KbHit {
  id: number;
  title: string;
  snippet: string;
  category: string;
  score: number;
  resolution: string;
  issue: string | null;
  source: string;
  /** Place in the full-text index's own ranking before fusion (0 = its best); null: only the issue model found it. */
  textRank: number | null;
  /** Requesters who confirmed this entry solved their problem (ranks it; see outcomes.ts). */
  solved: number;
}

interface Row {
  id: number;
  title: string;
  query: string;
  resolution: string;
  category: string;
  issue: string | null;
  source: string;
  search_text: string;
  hits: number;
  solved: number;
}

const VOCAB_TTL_MS = 5_000;

/** Ranks the known issues a query may be about (a model trained on how employees describe them). */
export type IssueHint = (q: string) => { issue: string; p: number; z?: number }[];

const CANDIDATES = 12;
/** Reciprocal rank fusion constant: how much the top places of each ranking dominate. */
const RRF_K = 4;
/**
 * What requesters' confirmations add to an entry's fused rank: enough for an entry that solved a few requests to
 * pass one nobody confirmed at the next place (1/4 − 1/5 = 0.05), and one proven many times to climb about three
 * places; capped so that popularity never outweighs relevance.
 */
export const solvedBonus = (solved: number) => Math.min(0.15, 0.04 * Math.log(1 + Math.max(0, solved)));

export function createKbSearch(deps: {
  sequelize: Sequelize;
  issueHint?: IssueHint;
  /**
   * Plain reads through the create path's own SQL (db/fast-sql.ts), when there is one: a search runs for every
   * new ticket, and through Sequelize its two queries queue on one node-sqlite3 connection in libuv's thread pool.
   */
  read?: FastSql['read'];
}) {
  const { sequelize } = deps;
  const dialect = dialectOf(sequelize);
  /** A SELECT with :named replacements (arrays expand to a list), through deps.read when given. */
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> => {
    if (!deps.read) return sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
    const params: unknown[] = [];
    const positional = sql.replace(/:(\w+)/g, (_, name: string) => {
      const v = replacements[name];
      if (!Array.isArray(v)) {
        params.push(v);
        return '?';
      }
      params.push(...v);
      return v.map(() => '?').join(', ');
    });
    return deps.read<T>(positional, params);
  };
  // The vocabulary follows the index's change log (vocabulary.ts): looked at before a search at most every few
  // seconds, so entries changed by other processes count, and at once after this process changed entries.
  const vocab = createVocabulary(sequelize);
  let vocabAt = 0;
  let stale = true;
  async function vocabulary() {
    if (stale || Date.now() - vocabAt >= VOCAB_TTL_MS) {
      stale = false;
      vocabAt = Date.now();
      await vocab.refresh();
    }
    return vocab;
  }

  /** Query terms, each known word as is and each unknown word replaced by its nearest index terms. */
  async function expand(q: string): Promise<{ terms: string[]; weights: Map<string, number> }> {
    const v = await vocabulary();
    const weights = new Map<string, number>();
    for (const raw of searchTerms(q, 30)) {
      const t = pad(raw);
      if (v.has(t)) {
        weights.set(t, 1);
        continue;
      }
      const max = t.length >= 8 ? 2 : t.length >= 4 ? 1 : 0;
      let found = 0;
      for (let len = t.length - max; len <= t.length + max && max > 0; len++) {
        for (const cand of v.ofLength(len)) {
          if (found < 3 && editDistance(t, cand, max) <= max) {
            weights.set(cand, 0.8);
            found++;
          }
        }
      }
      if (!found) weights.set(t, 1);
    }
    return { terms: [...weights.keys()], weights };
  }

  /**
   * Which terms go to the index, and joined how. On SQLite, scoring every entry that contains a common word
   * ("password" in a fifth of 100,000 entries) costs tens of milliseconds, and such words barely move BM25 anyway:
   * the selective (rare) terms are OR-ed; when every term is common, the two rarest must all match (AND).
   */
  function plan(terms: string[], confident: boolean): { terms: string[]; all: boolean }[] {
    const sorted = [...terms].sort((a, b) => vocab.df(a) - vocab.df(b)).slice(0, 8);
    const selective = sorted.filter((t) => vocab.df(t) <= Math.max(500, vocab.docs() * 0.02));
    // InnoDB reads each word's whole posting list: MySQL gets at most the four rarest selective words; with only
    // common words left it gets the rarest one, and not even that when the issue model already knows the topic.
    if (dialect === 'mysql')
      return selective.length
        ? [{ terms: selective.slice(0, 4), all: false }]
        : confident
          ? []
          : [{ terms: sorted.slice(0, 1), all: false }];
    if (selective.length) return [{ terms: selective, all: false }];
    if (sorted.length === 1) return [{ terms: sorted, all: false }];
    return [
      { terms: sorted.slice(0, 2), all: true },
      { terms: sorted.slice(0, 1), all: false },
    ];
  }

  async function query(
    p: { terms: string[]; all: boolean },
    category: string | undefined,
    limit: number,
  ): Promise<Row[]> {
    const cols = 'k.id, k.title, k.query, k.resolution, k.category, k.issue, k.source, k.search_text, k.hits, k.solved';
    const where = `k.published = 1 ${category ? 'AND k.category = :category' : ''}`;
    if (dialect === 'sqlite') {
      const match = p.terms.map((t) => `"${t.replace(/"/g, '')}"`).join(p.all ? ' AND ' : ' OR ');
      // Rank inside FTS5 first (its own rank column is BM25), then join the few best rows.
      return select<Row>(
        `SELECT ${cols} FROM (SELECT rowid, rank FROM kb_fts WHERE kb_fts MATCH :match ORDER BY rank LIMIT :inner) f
         JOIN kb_entries k ON k.id = f.rowid WHERE ${where} ORDER BY f.rank LIMIT :limit`,
        { match, category, limit, inner: category ? limit * 20 : limit * 3 },
      );
    }
    // Natural-language mode with MATCH only in WHERE: InnoDB returns rows already ranked and stops at the LIMIT.
    // An explicit ORDER BY MATCH (or boolean mode) scores every matching row: a second at 100,000 entries.
    const against = p.terms.map((t) => t.replace(/[^\p{L}\p{N}_]/gu, '')).join(' ');
    return select<Row>(
      `SELECT ${cols} FROM kb_entries k WHERE MATCH(k.search_text) AGAINST (:against IN NATURAL LANGUAGE MODE) AND ${where} LIMIT :limit`,
      { against, category, limit },
    );
  }

  /** Candidates from the full-text index, best first. */
  async function candidates(
    terms: string[],
    category: string | undefined,
    limit: number,
    confident: boolean,
  ): Promise<Row[]> {
    const seen = new Set<number>();
    const out: Row[] = [];
    for (const p of plan(terms, confident)) {
      for (const r of await query(p, category, limit)) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        out.push(r);
      }
      if (out.length >= limit) break;
    }
    return out.slice(0, limit);
  }

  /**
   * The published entries of these issues: the templates, and entries made from tickets that an agent tied to a
   * known issue when publishing them (candidates like the templates), the most confirmed first.
   */
  function issueEntries(issues: string[], category: string | undefined): Promise<Row[]> {
    return select<Row>(
      `SELECT k.id, k.title, k.query, k.resolution, k.category, k.issue, k.source, k.search_text, k.hits, k.solved FROM kb_entries k
       WHERE k.issue IN (:issues) AND k.published = 1 ${category ? 'AND k.category = :category' : ''}
       ORDER BY k.solved DESC, k.id ASC LIMIT :limit`,
      { issues, category, limit: issues.length * 4 },
    );
  }

  /** Inverse document frequency: a rare word ("trackpad") says more about the match than a common one ("not"). */
  const idf = (t: string) => Math.log(1 + vocab.docs() / (1 + vocab.df(t)));

  /** Score in [0,1]: the IDF-weighted share of query terms the entry contains, with a bonus for title matches. */
  function score(row: Row, weights: Map<string, number>): number {
    const doc = new Set(row.search_text.split(' '));
    const title = new Set(searchTerms(row.title).map(pad));
    let total = 0;
    let got = 0;
    for (const [t, w] of weights) {
      const i = idf(t);
      total += i;
      if (doc.has(t)) got += i * w * (title.has(t) ? 1 : 0.85);
    }
    const popularity = Math.min(0.05, Math.log10(1 + row.hits + Number(row.solved ?? 0)) / 40);
    return total ? Math.min(1, got / total + popularity) : 0;
  }

  return {
    /** Ranked published entries for a free-text query. */
    async search(q: string, opts: { category?: string; limit?: number } = {}): Promise<KbHit[]> {
      const limit = Math.min(Math.max(opts.limit ?? 5, 1), 50);
      const { terms, weights } = await expand(q);
      if (!terms.length) return [];
      // Two rankings fused: the index's (BM25 on SQLite, TF-IDF on MySQL) and the issue model's (the articles of
      // the issues the query is most likely about). The score shown is our own, comparable across dialects.
      const guesses = deps.issueHint?.(q).filter((g) => g.p >= 0.05) ?? [];
      const rows = await candidates(terms, opts.category, Math.max(limit, CANDIDATES), (guesses[0]?.p ?? 0) >= 0.3);
      const byIssue = guesses.length
        ? await issueEntries(
            guesses.map((g) => g.issue),
            opts.category,
          )
        : [];
      const fused = new Map<number, { r: Row; f: number; t: number | null }>();
      for (const [i, r] of rows.entries())
        fused.set(Number(r.id), { r, f: 1 / (RRF_K + i) + solvedBonus(Number(r.solved)), t: i });
      for (const r of byIssue) {
        const i = guesses.findIndex((g) => g.issue === r.issue);
        const e =
          fused.get(Number(r.id)) ??
          fused.set(Number(r.id), { r, f: solvedBonus(Number(r.solved)), t: null }).get(Number(r.id))!;
        e.f += 1 / (RRF_K + i);
      }
      return [...fused.values()]
        .sort((a, b) => b.f - a.f || a.r.id - b.r.id)
        .slice(0, limit)
        .map(({ r, t }) => ({ r, t, s: score(r, weights) }))
        .map(({ r, t, s }) => ({
          id: Number(r.id),
          title: r.title,
          category: r.category,
          score: Math.round(s * 1000) / 1000,
          resolution: r.resolution,
          issue: r.issue,
          source: r.source,
          snippet: r.resolution.replace(/\s+/g, ' ').slice(0, 160),
          textRank: t,
          solved: Number(r.solved ?? 0),
        }));
    },
    /** The issue model's ranking fused into the search (with raw scores), for answerability; empty without one. */
    issues(q: string, top = 5): { issue: string; p: number; z: number }[] {
      return (deps.issueHint?.(q) ?? [])
        .filter((g): g is { issue: string; p: number; z: number } => typeof g.z === 'number')
        .slice(0, top);
    },
    /** Refresh the vocabulary before the next search (after this process changed entries). */
    invalidate() {
      stale = true;
    },
  };
}

export type KbSearch = ReturnType<typeof createKbSearch>;
