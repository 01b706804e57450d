/**
 * When two tickets are about the same problem, and when a ticket is about an open incident's problem: pure rules
 * over what triage already worked out (category, the issue model's best guesses from the answer plan's evidence)
 * and the words (words.ts). Tuned on tests/fixtures/incident-scenarios.json; every threshold is here.
 *
 * Two tickets count toward one candidate when they have the same category and
 *  - the issue model is sure enough (strength ≥ ISSUE) that both are about the same known issue, and that issue is
 *    one many people can have at once (seeds/incident-issues.json: not a password, a laptop or a request), or
 *  - their words are close (cosine ≥ TEXT), and neither is surely about a one-person issue;
 * and, unless the issue is not local to one centre (SSO, email, a business system), the same development centre.
 * A ticket joins an open incident with the same category and scope when its best issue (or a runner-up nearly as
 * good) is the incident's, at the lower strength JOIN_ISSUE, or when its words are close to the children's
 * (cosine ≥ JOIN_TEXT): once an outage is known, a vaguer report of it is still recognised.
 */
import { cosine, centroid, type Terms } from './words.js';
import type { Profile } from './models.js';

export const THRESHOLDS = {
  /** Issue-model strength (raw score) for "this ticket is about that known issue". */
  issue: 1.5,
  /** …for joining an incident already formed around the issue. */
  joinIssue: 1.0,
  /** A runner-up issue counts for joining when it is this close to the best one. */
  runnerGap: 0.5,
  /** Cosine of two tickets' words for "the same problem" without a shared known issue. */
  text: 0.5,
  /** Cosine of a ticket's words and an incident's children's for joining it. */
  joinText: 0.35,
} as const;

export type Scope = 'centre' | 'global';

/** What a known issue says about outages (seeds/incident-issues.json); unlisted issues are one person's. */
export type IssueTraits = ReadonlyMap<string, { scope: Scope; title: string }>;

/** One triaged ticket, as detection sees it. */
export interface Signal {
  ticketId: number;
  requesterKey: string;
  category: string;
  devCenter: string | null;
  issue: string | null;
  issueZ: number | null;
  runner: string | null;
  runnerZ: number | null;
  terms: Terms;
  createdAt: Date;
}

/** The incident as matching sees it. */
export interface Target {
  category: string;
  devCenter: string | null;
  scope: Scope;
  issue: string | null;
  profile: Profile;
}

/** The known issue the ticket is surely about (strength ≥ THRESHOLDS.issue), or null. */
export const sureIssue = (s: Signal) => (s.issue && (s.issueZ ?? 0) >= THRESHOLDS.issue ? s.issue : null);

/** True when the ticket is surely about an issue only one person has (a request, their own device). */
export const personal = (s: Signal, traits: IssueTraits) => {
  const i = sureIssue(s);
  return !!i && !traits.has(i);
};

/** Whether the problem is local to one centre: the shareable issue's scope, else local. */
export function scopeOf(s: Signal, traits: IssueTraits): Scope {
  const i = sureIssue(s) ?? s.issue;
  return (i && traits.get(i)?.scope) || 'centre';
}

const sameCentre = (a: string | null, b: string | null) => a === b;

/** Whether two tickets count toward the same candidate incident. */
export function samePair(a: Signal, b: Signal, traits: IssueTraits): boolean {
  if (a.category !== b.category) return false;
  const ia = sureIssue(a);
  if (ia && ia === sureIssue(b) && traits.has(ia))
    return traits.get(ia)!.scope === 'global' || sameCentre(a.devCenter, b.devCenter);
  if (personal(a, traits) || personal(b, traits)) return false;
  return sameCentre(a.devCenter, b.devCenter) && cosine(a.terms, b.terms) >= THRESHOLDS.text;
}

/** How well a ticket fits an open incident (0: it does not; higher is closer), for choosing among several. */
export function joinScore(s: Signal, i: Target, traits: IssueTraits): number {
  if (s.category !== i.category) return 0;
  if (i.scope !== 'global' && !sameCentre(s.devCenter, i.devCenter)) return 0;
  const text = cosine(s.terms, centroid(i.profile));
  if (i.issue) {
    if (s.issue === i.issue && (s.issueZ ?? 0) >= THRESHOLDS.joinIssue) return 1 + text;
    const close = (s.issueZ ?? 0) - (s.runnerZ ?? 0) < THRESHOLDS.runnerGap;
    if (s.runner === i.issue && (s.runnerZ ?? 0) >= THRESHOLDS.joinIssue && close) return 1 + text;
  }
  if (personal(s, traits)) return 0;
  return text >= THRESHOLDS.joinText ? text : 0;
}

/** The incident's public title: the issue's outage title and the centre, or the category when only words matched. */
export function titleFor(
  t: { issue: string | null; category: string; devCenter: string | null; scope: Scope },
  traits: IssueTraits,
) {
  const base = (t.issue && traits.get(t.issue)?.title) || `${t.category}: many reports of one problem`;
  if (t.scope === 'global') return `${base} (all centres)`;
  return t.devCenter ? `${base} in ${t.devCenter}` : base;
}
