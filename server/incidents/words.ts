/**
 * Text similarity between tickets, for detection: the shared tokenizer (server/text/) with the knowledge base's
 * synonyms folded ("globalprotect" → "vpn"), content words only, weighted by how rare each word is among the
 * seed tickets (TF-IDF), compared by cosine. Words the seeds never use (names, host names, ticket numbers) carry
 * no weight: they say who wrote, not what broke. Bigrams are left out: people reporting one outage in their own
 * words rarely share word pairs, and pairs made the scores of unrelated tickets as high as those of related ones.
 */
import { canonical } from '../kb/synonyms.js';
import { tokenize } from '../text/tokenize.js';
import type { Profile } from './models.js';

/** Sparse, L2-normalised term weights. */
export type Terms = Record<string, number>;

/** At most this many terms are kept per ticket and per incident profile (the heaviest). */
const KEEP = 32;

const words = (text: string) => tokenize(text, canonical).filter((t) => !t.includes('_'));

/** Builds the vectoriser from example texts (how employees describe problems: the seed tickets). */
export function createWords(examples: { text: string }[]) {
  const df = new Map<string, number>();
  for (const e of examples) for (const t of new Set(words(e.text))) df.set(t, (df.get(t) ?? 0) + 1);
  const n = examples.length;
  const idf = (t: string) => Math.log((1 + n) / (1 + df.get(t)!)) + 1;

  return {
    /** The text's weighted content words, normalised to length 1. */
    terms(text: string): Terms {
      const tf = new Map<string, number>();
      for (const t of words(text)) if (df.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
      const weighted = [...tf].map(([t, c]) => [t, (1 + Math.log(c)) * idf(t)] as const);
      return normalise(top(weighted));
    },
  };
}

export type Words = ReturnType<typeof createWords>;

const top = (xs: (readonly [string, number])[]) =>
  xs.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, KEEP);

function normalise(xs: (readonly [string, number])[]): Terms {
  const norm = Math.hypot(...xs.map(([, w]) => w)) || 1;
  const out: Terms = {};
  for (const [t, w] of xs) out[t] = Math.round((w / norm) * 1e4) / 1e4;
  return out;
}

/** Cosine of two normalised term vectors. */
export function cosine(a: Terms, b: Terms): number {
  let s = 0;
  for (const t in a) {
    const w = b[t];
    if (w !== undefined) s += a[t]! * w;
  }
  return s;
}

/** An incident's profile with one more child's terms summed in (the heaviest terms are kept). */
export function fold(p: Profile, terms: Terms): Profile {
  const sum = new Map(Object.entries(p.terms));
  for (const [t, w] of Object.entries(terms)) sum.set(t, (sum.get(t) ?? 0) + w);
  const kept = top([...sum]).map(([t, w]) => [t, Math.round(w * 1e4) / 1e4] as const);
  return { n: p.n + 1, terms: Object.fromEntries(kept) };
}

/** The profile as a normalised vector (its centroid's direction). */
export const centroid = (p: Profile): Terms => normalise(Object.entries(p.terms));
