/**
 * A learned "which known issue is this about" model: TF-IDF + softmax over the seed dataset's issues, trained on
 * how employees describe each one. KB search fuses its ranking with the full-text index's (reciprocal rank
 * fusion), so a query in other words than the article's ("pc won't switch on") still finds it.
 */
import { Softmax, TfIdf } from '../text/softmax.js';
import { tokenize } from '../text/tokenize.js';

export interface IssueGuess {
  issue: string;
  p: number;
}

/** Trains on {issue, text} pairs; returns a ranker of issues for a query. */
export function createIssueModel(examples: { issue: string; text: string }[]) {
  const issues = [...new Set(examples.map((e) => e.issue))].sort();
  const docs = examples.map((e) => tokenize(e.text));
  const tfidf = new TfIdf().fit(docs);
  const model = new Softmax(issues, tfidf.dim, { seed: 5, folds: 0 }).fit(
    docs.map((d, i) => ({ x: tfidf.transform(d), y: examples[i]!.issue })),
  );
  return {
    /** The `top` most likely issues for a query, most likely first. */
    rank(q: string, top = 5): IssueGuess[] {
      const p = model.predictProba(tfidf.transform(tokenize(q)));
      return issues
        .map((issue, i) => ({ issue, p: p[i]! }))
        .sort((a, b) => b.p - a.p)
        .slice(0, top);
    },
  };
}

export type IssueModel = ReturnType<typeof createIssueModel>;
