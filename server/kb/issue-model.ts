/**
 * A learned "which known issue is this about" model: TF-IDF + softmax over the seed dataset's issues, trained on
 * how employees describe each one. KB search fuses its ranking with the full-text index's (reciprocal rank
 * fusion), so a query in other words than the article's ("pc won't switch on") still finds it; answerability reads
 * its scores as evidence that an article fits a request.
 */
import { Softmax, TfIdf } from '../text/softmax.js';
import { tokenize as tokenizeWords } from '../text/tokenize.js';
import { words } from '../text/words.js';
import { canonical } from './synonyms.js';
import { editDistance } from './terms.js';

/** The shared tokenizer with the search's synonyms folded: a request in other words than the seeds still counts. */
const tokenize = (text: string, fold: (w: string) => string = canonical) => tokenizeWords(text, fold);

/** The word itself and every variant with one letter removed (the symmetric-delete index of SymSpell). */
function deletes(w: string): string[] {
  const out = [w];
  for (let i = 0; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
  return out;
}

/**
 * Typo tolerance, as the KB search has against its index: a query word the model never saw ("pasword", "calender")
 * reads as the known word one edit away (two for long words), when exactly one known word is that near. Candidates
 * come from a symmetric-delete index (a word and a typo of it share a variant with one letter removed), so a look-up
 * costs a few map reads, not a scan of the vocabulary; answers are remembered.
 */
function typoFolder(known: Set<string>) {
  const index = new Map<string, string[]>();
  for (const w of known)
    if (w.length >= 4) for (const d of deletes(w)) (index.get(d) ?? index.set(d, []).get(d)!).push(w);
  const memo = new Map<string, string>();
  return (w: string): string => {
    if (known.has(w) || w.length < 5 || /\d/.test(w)) return canonical(w);
    let hit = memo.get(w);
    if (hit === undefined) {
      const max = w.length >= 8 ? 2 : 1;
      const near = new Map<string, number>();
      for (const d of deletes(w))
        for (const c of index.get(d) ?? []) if (!near.has(c)) near.set(c, editDistance(w, c, max));
      const best = Math.min(max + 1, ...near.values());
      const at = [...near].filter(([, d]) => d === best).map(([c]) => c);
      hit = best <= max && at.length === 1 ? at[0]! : w;
      if (memo.size > 20_000) memo.clear();
      memo.set(w, hit);
    }
    return canonical(hit);
  };
}

/**
 * The issue model's label for requests that are not IT's at all (parking, payslips, the canteen): taught from
 * phrasings like any issue, it has no article, so a request most like it gets no answer and no suggestion.
 */
export const NOT_IT = 'not-it';

export interface IssueGuess {
  issue: string;
  /** Probability among the known issues (uncalibrated on purpose: it stays spread out on unfamiliar requests). */
  p: number;
  /** The raw score (logit): high only when the request carries words the model ties to this issue. */
  z: number;
}

/** Trains on {issue, text} pairs; returns a ranker of issues for a query. */
export function createIssueModel(examples: { issue: string; text: string }[]) {
  const issues = [...new Set(examples.map((e) => e.issue))].sort();
  const docs = examples.map((e) => tokenize(e.text));
  const fold = typoFolder(new Set(examples.flatMap((e) => words(e.text))));
  const tfidf = new TfIdf().fit(docs);
  // No temperature calibration: fitted on in-domain folds it makes the model sure of itself on any request, also
  // on a parking question; uncalibrated, an unfamiliar request spreads over many issues, which is the signal.
  const model = new Softmax(issues, tfidf.dim, { seed: 5, folds: 0 }).fit(
    docs.map((d, i) => ({ x: tfidf.transform(d), y: examples[i]!.issue })),
  );
  // The KB search (fusion) and the answer plan rank the same text one after the other: keep the last ranking.
  let last: { q: string; all: IssueGuess[] } | null = null;
  return {
    /** The `top` most likely issues for a query, most likely first. */
    rank(q: string, top = 5): IssueGuess[] {
      if (last?.q !== q) {
        const x = tfidf.transform(tokenize(q, fold));
        const z = model.logits(x);
        const p = model.predictProba(x);
        last = { q, all: issues.map((issue, i) => ({ issue, p: p[i]!, z: z[i]! })).sort((a, b) => b.z - a.z) };
      }
      return last.all.slice(0, top).map((g) => ({ ...g }));
    },
  };
}

export type IssueModel = ReturnType<typeof createIssueModel>;

/**
 * Training examples for the issue model: how employees describe each issue (the seed tickets) plus one short
 * document per article (its title and keywords), so words only the article uses ("Coupa", "think-cell") count too.
 */
export function issueExamples(
  phrasings: { issue: string; text: string }[],
  templates: { issue: string; title: string; keywords?: string[] }[],
): { issue: string; text: string }[] {
  return [
    ...phrasings,
    ...templates.map((t) => ({ issue: t.issue, text: `${t.title}\n${(t.keywords ?? []).join(', ')}` })),
  ];
}
