/**
 * Words, stems and stop words: the one tokenizer under the classifier, the issue model and knowledge-base search.
 * Text is NFKC-normalised and lower-cased, apostrophes fold ("don't" → "dont"), and long digit runs (phones,
 * ticket numbers) are dropped.
 */
import { stemmer } from 'stemmer';

/**
 * Negated auxiliaries fold to "not", so "didn't click", "did not click" and "never clicked" give the same features
 * ("not", "not_click"): the negation is what tells a reported phishing mail from a clicked one.
 */
export const NEGATIONS: ReadonlyMap<string, string> = new Map(
  'arent didnt doesnt dont hasnt havent isnt never wasnt werent'.split(' ').map((w) => [w, 'not']),
);

/** Function words and helpdesk pleasantries: in every category, so they say nothing about a ticket. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after also am an and any are as at be because been before being below between both but by
  could d did do does doing during each few for from further had has have having he her here hers
  herself him himself his how i id if ill im in into is it its itself ive just ll m me most my myself of on
  once only or other our ours ourselves over own re s same she should so some such t than that the their theirs them
  themselves then there these they this those through to too under until up ve very was we were what when
  where which while who whom why will with would you youre your yours yourself yourselves
  best cheers dear guys hello hey hi kind madam please pls plz regards sir team thank thanks thx`.split(/\s+/),
);

/**
 * Search drops more: negations, "down", "off", "need" say how someone feels about a problem (the classifier keeps
 * them: "not working", "server down"), not which article answers it.
 */
export const SEARCH_STOP_WORDS: ReadonlySet<string> = new Set([
  ...STOP_WORDS,
  ...NEGATIONS.keys(),
  ...'again all can cant down get got more need needs no nor not now off out want'.split(' '),
]);

/** Lower-cased, apostrophe-folded unicode words; digit runs of three or more are dropped. */
export function words(text: string): string[] {
  const folded = text.normalize('NFKC').toLowerCase().replace(/['’`]/g, '');
  const out: string[] = [];
  for (const w of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (!w || /^\d{3,}$/.test(w)) continue;
    out.push(w);
  }
  return out;
}

const stemCache = new Map<string, string>();
/** Porter stem of a lower-cased word (memoised: the same few thousand words come back all day). */
export function stem(w: string): string {
  let s = stemCache.get(w);
  if (s === undefined) {
    s = stemmer(w);
    if (stemCache.size < 50_000) stemCache.set(w, s);
  }
  return s;
}
