/** Words for knowledge-base search: lower-cased, stop words dropped, stemmed so word forms meet. */
import { stemmer } from 'stemmer';
import { canonical } from './synonyms.js';

const STOP = new Set(
  (
    'a about above after again all also am an and any are as at be been before being below between both but by can could did do does ' +
    'doing down during each few for from further had has have having he her here hers him his how i if in into is it its itself just ' +
    'me more most my myself no nor not now of off on once only or other our ours out over own same she should so some such than that ' +
    'the their them then there these they this those through to too under until up very was we were what when where which while who ' +
    'whom why will with would you your yours hi hello thanks thank please regards cheers pls plz get got need needs want im ive dont cant'
  ).split(' '),
);

/** The distinct stemmed search terms of a text, in first-seen order. */
export function searchTerms(text: string, max = 400): string[] {
  const out = new Set<string>();
  for (const w of text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)) {
    if (w.length < 2 || STOP.has(w) || /^\d+$/.test(w)) continue;
    out.add(stemmer(canonical(w)));
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
  for (const w of parts
    .join(' ')
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)) {
    if (w.length < 2 || STOP.has(w) || /^\d+$/.test(w)) continue;
    out.push(pad(stemmer(canonical(w))));
    if (out.length >= 20_000) break;
  }
  return out.join(' ');
}

/** MySQL's FULLTEXT drops words shorter than innodb_ft_min_token_size (3): "pc" is stored as "pc_". */
export const pad = (t: string) => (t.length < 3 ? t + '_'.repeat(3 - t.length) : t);

/** Damerau-free Levenshtein distance with an early exit above `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}
