/** Words for knowledge-base search: the shared tokenizer, search stop words dropped, synonyms folded, stemmed. */
import { SEARCH_STOP_WORDS, stem, words } from '../text/words.js';
import { canonical } from './synonyms.js';

/** The search words of a text in order: no stop words, no single letters, no numbers. */
function* searchWords(text: string): Generator<string> {
  for (const w of words(text)) {
    if (w.length < 2 || SEARCH_STOP_WORDS.has(w) || /^\d+$/.test(w)) continue;
    yield stem(canonical(w));
  }
}

/** The distinct stemmed search terms of a text, in first-seen order. */
export function searchTerms(text: string, max = 400): string[] {
  const out = new Set<string>();
  for (const t of searchWords(text)) {
    out.add(t);
    if (out.size >= max) break;
  }
  return [...out];
}

/**
 * The text stored in kb_entries.search_text (indexed by FTS5 / FULLTEXT): every stemmed word, repeats kept, so the
 * index's term frequencies say what an entry is mostly about. MySQL ignores tokens under 3 characters: padded.
 */
export function searchDocument(...parts: string[]): string {
  const out: string[] = [];
  for (const t of searchWords(parts.join(' '))) {
    out.push(pad(t));
    if (out.length >= 20_000) break;
  }
  return out.join(' ');
}

/** MySQL's FULLTEXT drops words shorter than innodb_ft_min_token_size (3): "pc" is stored as "pc_". */
export const pad = (t: string) => (t.length < 3 ? t + '_'.repeat(3 - t.length) : t);

/** Damerau-free Levenshtein distance with an early exit above `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // Two rows of the dynamic-programming table, as typed arrays: every index below is in range by construction.
  let prev = Uint32Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur[j] = v;
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}
