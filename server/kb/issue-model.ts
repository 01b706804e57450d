/**
 * A learned "which known issue is this about" model: TF-IDF + softmax over the seed dataset's issues, trained on
 * how employees describe each one. KB search fuses its ranking with the full-text index's (reciprocal rank
 * fusion), so a query in other words than the article's ("pc won't switch on") still finds it; answerability reads
 * its scores as evidence that an article fits a request.
 */
import { Softmax, TfIdf } from '../text/softmax.js';
import { tokenize as tokenizeWords } from '../text/tokenize.js';
import { canonical } from './synonyms.js';

/** The shared tokenizer with the search's synonyms folded: a request in other words than the seeds still counts. */
const tokenize = (text: string) => tokenizeWords(text, canonical);

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
        const x = tfidf.transform(tokenize(q));
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
