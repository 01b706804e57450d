/**
 * Answerability: may the AI agent answer this ticket with a knowledge-base entry, or offer it as a suggestion while
 * a person takes the ticket? Decided from evidence that the entry fits THIS request, never from the search score
 * alone: a wrong automatic answer costs the requester more than none.
 *
 * The evidence, each a check with its value and what it needs:
 * - safety: critical incidents, security signals, several problems at once, text aimed at the model, and "it works
 *   now" never get an automatic answer or article;
 * - strength: the issue model's raw score for the entry's issue (how much the request sounds like what employees
 *   say about it). An unfamiliar request (a parking badge) scores low on every issue;
 * - margin: the gap to the next issue, after weighing each by how often requests of this intent (question, service
 *   request, incident) are about it, so "need Acrobat Pro installed" prefers the install article to the licence one;
 * - agreement: when the full-text index, on its own, ranks the same article first, two different readings of the
 *   request agree and a lower strength and margin suffice; when it prefers another article, both must be higher;
 * - category: the entry's category agrees with the ticket's, or the issue evidence is strong enough on its own;
 * - retrieval: the fused search ranks the entry among its first articles, and its words cover enough of the
 *   request;
 * - record: requesters with this kind of request (its issue, or its category) did not keep saying the entry did not
 *   help (kb/outcomes.ts).
 * Every check is recorded (a plain JSON object for the ticket's triage record and the console); the first that
 * fails gives the reason in words.
 */
import type { Intent, Route } from '../domain/vocabulary.js';
import { NOT_IT, type IssueGuess } from '../kb/issue-model.js';
import { passReason, reasonFor } from './answer-reasons.js';
import type { AnswerCheck, AnswerEvidence, AnswerKind } from './answer-types.js';

export type { AnswerCheck, AnswerEvidence, AnswerKind } from './answer-types.js';
import type { KbHit } from '../kb/search.js';

export interface AnswerabilityInput {
  /** The ticket's classification (category, intent, rule signals, complex). */
  category: string;
  intent: Intent;
  signals: string[];
  complex: boolean;
  /** The routing decision: only a ticket routed to the AI agent is answered; others get a suggestion. */
  route: Route;
  /** The knowledge-base search's ranking for the ticket text, best first. */
  hits: KbHit[];
  /** The issue model's ranking for the ticket text, best first (a few are enough). */
  issues: IssueGuess[];
  /** How often requests of an intent are about an issue (smoothed share, 0–1; null: the intent tells nothing). */
  intentFit: (issue: string, intent: Intent) => number | null;
  /** How often an entry solved or did not help requests of a kind (`issue:<slug>`, `category:<name>`); none: no record. */
  record?: (entryId: number, kind: string) => { solved: number; failed: number } | undefined;
}

export interface AnswerThresholds {
  /** Minimum raw issue score for "this request is about a known issue" when the full-text index agrees… */
  strength: number;
  /** …and when it prefers another article. */
  strengthAlone: number;
  /** Raw score above which (with margin ≥ marginAlone) the issue evidence outweighs a disagreeing ticket category… */
  strongStrength: number;
  /** Minimum gap between the best and the second issue (after weighing intent) when the full-text index agrees… */
  margin: number;
  /** …and when it prefers another article. */
  marginAlone: number;
  /** How much the intent share weighs against the issue score (per unit of log share). */
  intentWeight: number;
  /** The handicap of the not-IT label against the known issues (raw score units). */
  outOfScopeBias: number;
  /** The fused search must rank the article among this many first articles. */
  retrievalRank: number;
  /** Minimum share of the request's words (IDF-weighted) the entry contains… */
  lexical: number;
  /** …and when the issue evidence is strong (see strongStrength). */
  lexicalStrong: number;
  /** An entry stops being offered for a kind of request once it did not help this often, and more often than it solved… */
  failures: number;
  /** For entries made from closed tickets (no known issue): the words must match this well… */
  textOnlyScore: number;
  /** …and this much better than the next entry. */
  textOnlyMargin: number;
}

/** Tuned on tests/fixtures/answers-dev.jsonl and answers-dev2.jsonl only; answers-holdout.jsonl measures them. */
export const ANSWER_THRESHOLDS: AnswerThresholds = {
  strength: 1.9,
  strengthAlone: 2.2,
  strongStrength: 2.4,
  margin: 0.5,
  marginAlone: 1,
  intentWeight: 0.5,
  outOfScopeBias: 1,
  retrievalRank: 2,
  lexical: 0.3,
  lexicalStrong: 0.2,
  failures: 2,
  textOnlyScore: 0.8,
  textOnlyMargin: 0.15,
};

export interface AnswerDecision {
  kind: AnswerKind;
  entry: KbHit | null;
  evidence: AnswerEvidence;
  reason: string;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Why a ticket gets no automatic help whatever the knowledge base says (null: nothing blocks). */
function safetyBlock(i: AnswerabilityInput): string | null {
  const critical = i.signals.find((s) => s.startsWith('critical:'));
  if (critical) return `critical incident (${critical.slice(9)}): a person handles it, no automatic answer or article`;
  const security = i.signals.find((s) => s.startsWith('security:'));
  if (security) return `security concern (${security.slice(9)}): a person handles it`;
  if (i.signals.includes('suspicious:prompt-injection')) return 'the text tries to instruct the AI: a person reads it';
  if (i.intent === 'closure') return 'the requester says it is solved';
  if (i.complex) return 'several problems or many people affected: a person sorts it out';
  return null;
}

/** Decides answer / suggest / none for one ticket from its retrieval evidence. Pure and fast (no I/O). */
export function decideAnswerability(i: AnswerabilityInput, t: AnswerThresholds = ANSWER_THRESHOLDS): AnswerDecision {
  const blocked = safetyBlock(i);
  const checks: AnswerCheck[] = [{ name: 'safety', ok: !blocked, value: blocked ? 'blocked' : 'clear', need: 'clear' }];
  const top = i.hits.slice(0, 3).map((h) => ({ id: h.id, issue: h.issue, score: h.score }));
  const base = { route: i.route, intent: i.intent, category: i.category };

  // Weigh each known issue by how often requests of this intent are about it, then take the best two.
  // The not-IT label is the model's largest class and shares everyday words with every issue ("how do I", "office"):
  // it must win by a handicap, and its intent (mostly questions) says nothing about IT articles.
  const weighed = i.issues
    .map((g) => ({ g, fit: g.issue === NOT_IT ? null : i.intentFit(g.issue, i.intent) }))
    .map((x) => ({
      ...x,
      s:
        x.g.z -
        (x.g.issue === NOT_IT ? t.outOfScopeBias : 0) +
        (x.fit === null ? 0 : t.intentWeight * Math.log(Math.max(x.fit, 1e-3))),
    }))
    .sort((a, b) => b.s - a.s);
  const best = weighed[0] ?? null;
  const second = weighed[1] ?? null;
  const issueOf = (x: typeof best) =>
    x ? { name: x.g.issue, strength: r3(x.g.z), p: r3(x.g.p), intentFit: x.fit === null ? null : r3(x.fit) } : null;

  const textOnly = textOnlyCandidate(i.hits, i.category, t);
  const byIssue = best ? (i.hits.find((h) => h.issue === best.g.issue) ?? null) : null;
  const useText = textOnly.ok || (!byIssue && i.hits[0]?.issue === null);
  const entry = useText ? (i.hits[0] ?? null) : byIssue;
  const candidate: AnswerCheck = {
    name: 'candidate',
    ok: !!entry,
    value: entry ? entry.id : null,
    need: useText ? 'an entry made from tickets' : `the article for ${best?.g.issue ?? 'a known issue'}`,
  };

  let agrees: boolean | null = null;
  if (useText) checks.push(candidate, ...textOnly.checks);
  else if (!best) checks.push(candidate);
  else {
    const margin = second ? best.s - second.s : best.s;
    const articles = i.hits.filter((h) => h.issue !== null);
    const sameCategory = entry ? entry.category === i.category : false;
    agrees = !!entry && textFirst(articles)?.id === entry.id;
    const [strength, marginNeed] = agrees ? [t.strength, t.margin] : [t.strengthAlone, t.marginAlone];
    // Clearly one known issue (strong and well ahead of the next): that outweighs the ticket's category, which the
    // classifier reads from fewer examples, and an article whose words cover less of the request.
    const strong = best.g.z >= t.strongStrength && margin >= t.marginAlone;
    const lexicalNeed = strong ? t.lexicalStrong : t.lexical;
    checks.push(
      // The issue model also knows requests that are not IT's (parking, payslips, the canteen): most like those.
      { name: 'scope', ok: best.g.issue !== NOT_IT, value: best.g.issue, need: 'an IT issue' },
      { name: 'strength', ok: best.g.z >= strength, value: r3(best.g.z), need: strength },
      { name: 'margin', ok: margin >= marginNeed, value: r3(margin), need: marginNeed },
      candidate,
      {
        name: 'category',
        ok: sameCategory || strong,
        value: entry?.category ?? null,
        need: sameCategory
          ? i.category
          : `${i.category}, or strength ≥ ${t.strongStrength} and margin ≥ ${t.marginAlone}`,
      },
      {
        name: 'retrieval',
        ok: !!entry && articles.slice(0, t.retrievalRank).includes(entry),
        value: entry ? articles.indexOf(entry) + 1 : null,
        need: t.retrievalRank,
      },
      { name: 'lexical', ok: !!entry && entry.score >= lexicalNeed, value: entry?.score ?? null, need: lexicalNeed },
    );
  }

  // What requesters with this kind of request said about the entry: the issue's record first, else the category's.
  const kinds = [!useText && best ? `issue:${best.g.issue}` : null, `category:${i.category}`].filter(
    (k): k is string => !!k,
  );
  const record = entry
    ? (kinds.map((kind) => ({ kind, ...i.record?.(entry.id, kind) })).find((r) => r.solved !== undefined) ?? null)
    : null;
  const counts = record ? { kind: record.kind, solved: record.solved ?? 0, failed: record.failed ?? 0 } : null;
  if (entry && checks.every((c) => c.ok))
    checks.push({
      name: 'record',
      ok: !counts || counts.failed < t.failures || counts.failed <= counts.solved,
      value: counts ? `${counts.failed} did not help, ${counts.solved} solved (${counts.kind})` : 'none',
      need: `fewer than ${t.failures} did not help, or no more than solved`,
    });

  const failed = checks.find((c) => !c.ok) ?? null;
  const kind: AnswerKind = failed ? 'none' : i.route === 'ai' ? 'answer' : 'suggest';
  const evidence: AnswerEvidence = {
    decision: kind,
    ...base,
    basis: entry ? (useText ? 'text' : 'issue') : null,
    entry: entry
      ? { id: entry.id, title: entry.title, issue: entry.issue, category: entry.category, source: entry.source }
      : null,
    issue: useText ? null : issueOf(best),
    runnerUp: useText ? null : issueOf(second),
    retrieval: {
      rank: entry ? i.hits.filter((h) => h.issue !== null || useText).indexOf(entry) + 1 : null,
      score: entry?.score ?? null,
      agrees,
      top,
    },
    record: counts,
    checks,
    failed: failed?.name ?? null,
  };
  return {
    kind,
    entry: kind === 'none' ? null : entry,
    evidence,
    reason: failed ? reasonFor(failed, blocked, evidence) : passReason(kind, evidence),
  };
}

/** The article the full-text index ranks best on its own (before fusion with the issue model). */
function textFirst(articles: KbHit[]): KbHit | null {
  let best: KbHit | null = null;
  for (const h of articles) if (h.textRank !== null && (best === null || h.textRank < best.textRank!)) best = h;
  return best;
}

/** An entry made from closed tickets has no issue model behind it: only a close, clearly best word match counts. */
function textOnlyCandidate(hits: KbHit[], category: string, t: AnswerThresholds) {
  const [first, next] = hits;
  // Stryker disable next-line ObjectLiteral: equivalent, callers read checks only when the first hit is ticket-made
  if (!first || first.issue !== null) return { ok: false, checks: [] as AnswerCheck[] };
  const gap = first.score - (next?.score ?? 0);
  const checks: AnswerCheck[] = [
    { name: 'lexical', ok: first.score >= t.textOnlyScore, value: first.score, need: t.textOnlyScore },
    { name: 'margin', ok: gap >= t.textOnlyMargin, value: r3(gap), need: t.textOnlyMargin },
    { name: 'category', ok: first.category === category, value: first.category, need: category },
  ];
  return { ok: checks.every((c) => c.ok), checks };
}
