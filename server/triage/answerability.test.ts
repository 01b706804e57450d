import { describe, expect, it } from 'vitest';
import type { Intent, Route } from '../domain/vocabulary.js';
import { NOT_IT, type IssueGuess } from '../kb/issue-model.js';
import type { KbHit } from '../kb/search.js';
import { ANSWER_THRESHOLDS, decideAnswerability, type AnswerabilityInput } from './answerability.js';

const SW = 'Software / Applications';
const AC = 'Access & Authentication';

/** A search hit; `textRank` is its place in the full-text index's own ranking (by default: its order here). */
const hit = (
  id: number,
  issue: string | null,
  score: number,
  category = SW,
  textRank: number | null = null,
): KbHit => ({
  id,
  textRank,
  title: `Article ${issue ?? id}`,
  snippet: '',
  category,
  score,
  resolution: '1. Do this.',
  issue,
  source: issue ? 'template' : 'ticket',
  solved: 0,
});
const guess = (issue: string, z: number): IssueGuess => ({ issue, z, p: Math.min(0.99, z / 10) });

/** A clear install request: every check passes. */
const base = (): AnswerabilityInput => ({
  category: SW,
  intent: 'question',
  signals: [],
  complex: false,
  route: 'ai',
  hits: [
    hit(1, 'app-install-request', 0.8, SW, 0),
    hit(2, 'license-activation-error', 0.5, SW, 1),
    hit(3, 'app-crash', 0.4),
  ],
  issues: [guess('app-install-request', 3.2), guess('license-activation-error', 1.5), guess('app-crash', 1)],
  intentFit: () => 0.4,
});

type Case = [string, (i: AnswerabilityInput) => Partial<AnswerabilityInput>, string, string | null, RegExp];

describe('decideAnswerability', () => {
  const cases: Case[] = [
    [
      'a clear match routed to the AI agent is answered',
      () => ({}),
      'answer',
      null,
      /answered with “Article app-install/,
    ],
    ['a clear match in the pool is suggested', () => ({ route: 'pool' as Route }), 'suggest', null, /suggested/],
    [
      'a clear match for the IT team is suggested',
      () => ({ route: 'it_team' as Route }),
      'suggest',
      null,
      /while a person/,
    ],
    [
      'a critical incident gets nothing, however well it matches',
      () => ({ signals: ['critical:ransomware'] }),
      'none',
      'safety',
      /critical incident \(ransomware\)/,
    ],
    ['a security signal gets nothing', () => ({ signals: ['security:attack-attempt'] }), 'none', 'safety', /security/],
    [
      'text aimed at the model gets nothing',
      () => ({ signals: ['suspicious:prompt-injection'] }),
      'none',
      'safety',
      /instruct/,
    ],
    ['"it works now" gets nothing', () => ({ intent: 'closure' as Intent }), 'none', 'safety', /solved/],
    ['several problems get nothing', () => ({ complex: true }), 'none', 'safety', /several problems/],
    [
      'an unfamiliar request (weak issue score) gets nothing',
      (i) => ({ issues: [guess('app-install-request', 1.2), ...i.issues.slice(1).map((g) => ({ ...g, z: 0.3 }))] }),
      'none',
      'strength',
      /does not look like any known issue/,
    ],
    [
      'two issues that fit about equally get nothing',
      () => ({ issues: [guess('app-install-request', 3.2), guess('license-activation-error', 3)] }),
      'none',
      'margin',
      /two issues fit about equally: app-install-request and license-activation-error/,
    ],
    [
      'the intent tips a close call: a service request prefers the install article to the licence one',
      () => ({
        intent: 'service_request' as Intent,
        // The fused search puts the licence article first; the full-text index on its own prefers the install one.
        hits: [hit(2, 'license-activation-error', 0.7, SW, 1), hit(1, 'app-install-request', 0.6, SW, 0)],
        issues: [guess('license-activation-error', 2.3), guess('app-install-request', 2.2)],
        intentFit: (issue: string) => (issue === 'license-activation-error' ? 0.07 : 0.46),
      }),
      'answer',
      null,
      /Article app-install-request/,
    ],
    [
      'a full-text index preferring another article raises the bar for strength',
      () => ({
        hits: [hit(1, 'app-install-request', 0.8, SW, 1), hit(2, 'license-activation-error', 0.5, SW, 0)],
        issues: [guess('app-install-request', 2), guess('license-activation-error', 0.5)],
      }),
      'none',
      'strength',
      /strength 2 < 2\.2, the full-text search preferring another article/,
    ],
    [
      '… and for the margin',
      () => ({
        hits: [hit(1, 'app-install-request', 0.8, SW, 1), hit(2, 'license-activation-error', 0.5, SW, 0)],
        issues: [guess('app-install-request', 3), guess('license-activation-error', 2.2)],
      }),
      'none',
      'margin',
      /margin 0\.8 < 1, the full-text search preferring another article/,
    ],
    [
      'the same strength and margin pass when the full-text index agrees',
      () => ({ issues: [guess('app-install-request', 2), guess('license-activation-error', 1.2)] }),
      'answer',
      null,
      /Article app-install-request/,
    ],
    [
      'an article of another category needs strong issue evidence',
      () => ({
        hits: [hit(1, 'calendar-sharing', 0.8, 'Collaboration Tools', 0)],
        issues: [guess('calendar-sharing', 2.3), guess('shared-folder-access', 1)],
        category: AC,
      }),
      'none',
      'category',
      /is about Collaboration Tools, the ticket is classified Access/,
    ],
    [
      'strong issue evidence outweighs a disagreeing category',
      () => ({
        hits: [hit(1, 'calendar-sharing', 0.8, 'Collaboration Tools', 0)],
        issues: [guess('calendar-sharing', 3.4), guess('shared-folder-access', 1)],
        category: AC,
      }),
      'answer',
      null,
      /calendar-sharing/,
    ],
    [
      'an article the full-text search ranks third gets nothing',
      () => ({
        hits: [hit(2, 'license-activation-error', 0.9), hit(3, 'app-crash', 0.8), hit(1, 'app-install-request', 0.7)],
      }),
      'none',
      'retrieval',
      /ranks “Article app-install-request” only at 3/,
    ],
    [
      'strong issue evidence close behind another issue does not outweigh the category',
      () => ({
        hits: [hit(1, 'calendar-sharing', 0.8, 'Collaboration Tools', 0)],
        issues: [guess('calendar-sharing', 3.4), guess('shared-folder-access', 2.6)],
        category: AC,
      }),
      'none',
      'category',
      /is about Collaboration Tools/,
    ],
    [
      'an article that covers few of the words gets nothing',
      () => ({ hits: [hit(1, 'app-install-request', 0.15, SW, 0)] }),
      'none',
      'lexical',
      /covers too little/,
    ],
    [
      'a partial word match needs strong issue evidence',
      () => ({
        hits: [hit(1, 'app-install-request', 0.25, SW, 0)],
        issues: [guess('app-install-request', 2.2), guess('app-crash', 1)],
      }),
      'none',
      'lexical',
      /covers too little of the request's words \(0\.25 < 0\.3\)/,
    ],
    [
      '… which strong issue evidence gives',
      () => ({ hits: [hit(1, 'app-install-request', 0.25, SW, 0)] }),
      'answer',
      null,
      /Article app-install-request/,
    ],
    [
      'a request most like the not-IT label (parking, payslips) gets nothing',
      () => ({ issues: [guess(NOT_IT, 4.5), guess('app-install-request', 2.2)] }),
      'none',
      'scope',
      /another department/,
    ],
    [
      'the not-IT label wins only by its handicap',
      () => ({ issues: [guess(NOT_IT, 3.4), guess('app-install-request', 3.2), guess('app-crash', 1)] }),
      'none',
      'margin',
      /two issues fit about equally: app-install-request and not-it/,
    ],
    [
      '… and is just a runner-up when the issue is well ahead of it',
      () => ({ issues: [guess('app-install-request', 3.2), guess(NOT_IT, 2.5)] }),
      'answer',
      null,
      /Article app-install-request/,
    ],
    [
      'an issue whose article was not retrieved (unpublished) gets nothing',
      () => ({ hits: [hit(2, 'license-activation-error', 0.6)] }),
      'none',
      'candidate',
      /no published knowledge-base entry for app-install-request/,
    ],
    [
      'an entry made from tickets that matches closely and clearly is suggested',
      () => ({ route: 'pool' as Route, hits: [hit(9, null, 0.9), hit(1, 'app-install-request', 0.5)], issues: [] }),
      'suggest',
      null,
      /its words match the request closely/,
    ],
    [
      'an entry made from tickets that is not clearly better than the next gets nothing',
      () => ({ hits: [hit(9, null, 0.85), hit(8, null, 0.8)], issues: [] }),
      'none',
      'margin',
      /not clearly better than the next entry/,
    ],
    ['no candidates at all gets nothing', () => ({ hits: [], issues: [] }), 'none', 'candidate', /no published/],
    [
      'an article that did not help this kind of request twice, and never solved one, gets nothing',
      () => ({ record: (_id, kind) => (kind === 'issue:app-install-request' ? { solved: 0, failed: 2 } : undefined) }),
      'none',
      'record',
      /did not help requesters with this kind of request \(2 did not help, 0 solved \(issue:app-install-request\)\)/,
    ],
    [
      '… but still answers when it solved more of them than it failed',
      () => ({ record: () => ({ solved: 3, failed: 2 }) }),
      'answer',
      null,
      /answered/,
    ],
    [
      '… and failures for another kind of request do not count',
      () => ({
        record: (_id, kind) => (kind === 'issue:license-activation-error' ? { solved: 0, failed: 9 } : undefined),
      }),
      'answer',
      null,
      /answered/,
    ],
    [
      'without an issue record, the category record counts',
      () => ({ record: (_id, kind) => (kind === `category:${SW}` ? { solved: 1, failed: 4 } : undefined) }),
      'none',
      'record',
      /category:Software/,
    ],
  ];

  it.each(cases)('%s', (_, patch, kind, failed, reason) => {
    const input = base();
    const d = decideAnswerability({ ...input, ...patch(input) });
    expect(d.kind).toBe(kind);
    expect(d.evidence.decision).toBe(kind);
    expect(d.evidence.failed).toBe(failed);
    expect(d.reason).toMatch(reason);
    expect(d.entry === null).toBe(kind === 'none');
    // The evidence is stored on the ticket and shown to agents: plain JSON, nothing lost on the way.
    expect(JSON.parse(JSON.stringify(d.evidence))).toEqual(d.evidence);
  });

  it('records every check with its value and what it needs', () => {
    const d = decideAnswerability(base());
    expect(d.evidence.checks.map((c) => c.name)).toEqual([
      'safety',
      'scope',
      'strength',
      'margin',
      'candidate',
      'category',
      'retrieval',
      'lexical',
      'record',
    ]);
    expect(d.evidence.checks.find((c) => c.name === 'strength')).toEqual({
      name: 'strength',
      ok: true,
      value: 3.2,
      need: ANSWER_THRESHOLDS.strength,
    });
    expect(d.evidence.issue).toMatchObject({ name: 'app-install-request', strength: 3.2 });
    expect(d.evidence.runnerUp).toMatchObject({ name: 'license-activation-error' });
    expect(d.evidence.entry).toMatchObject({ id: 1, issue: 'app-install-request', source: 'template' });
    expect(d.evidence.retrieval).toMatchObject({ rank: 1, score: 0.8, agrees: true });
  });
});

/**
 * The rules at their edges, with round thresholds so each boundary is exact: every bar is "at least", the record,
 * the entries made from tickets, and the evidence recorded for the console (what each check saw and needed).
 */
describe('answerability at its boundaries', () => {
  const T = {
    strength: 2,
    strengthAlone: 3,
    strongStrength: 4,
    margin: 1,
    marginAlone: 2,
    intentWeight: 0.5,
    outOfScopeBias: 1,
    retrievalRank: 2,
    lexical: 0.5,
    lexicalStrong: 0.25,
    failures: 2,
    textOnlyScore: 0.75,
    textOnlyMargin: 0.25,
  };
  const HW = 'Hardware / Device';
  /** The index agrees, fits tell nothing: strength and margin are the raw scores. */
  const at = (o: Partial<AnswerabilityInput> = {}): AnswerabilityInput => ({
    ...base(),
    hits: [hit(1, 'a', 0.5, SW, 0), hit(2, 'b', 0.25, SW, 1)],
    issues: [guess('a', 2), guess('b', 1)],
    intentFit: () => null,
    ...o,
  });
  const check = (d: ReturnType<typeof decideAnswerability>, name: string) =>
    d.evidence.checks.find((c) => c.name === name);
  const names = (d: ReturnType<typeof decideAnswerability>) => d.evidence.checks.map((c) => `${c.name}:${c.ok}`);

  it('passes exactly at each bar (strength, margin, words) and fails just under it', () => {
    const d = decideAnswerability(at(), T);
    expect(d.kind).toBe('answer');
    expect(d.evidence.checks).toEqual([
      { name: 'safety', ok: true, value: 'clear', need: 'clear' },
      { name: 'scope', ok: true, value: 'a', need: 'an IT issue' },
      { name: 'strength', ok: true, value: 2, need: 2 },
      { name: 'margin', ok: true, value: 1, need: 1 },
      { name: 'candidate', ok: true, value: 1, need: 'the article for a' },
      { name: 'category', ok: true, value: SW, need: SW },
      { name: 'retrieval', ok: true, value: 1, need: 2 },
      { name: 'lexical', ok: true, value: 0.5, need: 0.5 },
      { name: 'record', ok: true, value: 'none', need: 'fewer than 2 did not help, or no more than solved' },
    ]);
    expect(decideAnswerability(at({ issues: [guess('a', 1.99), guess('b', 0.99)] }), T).evidence.failed).toBe(
      'strength',
    );
    expect(decideAnswerability(at({ issues: [guess('a', 2), guess('b', 1.01)] }), T).evidence.failed).toBe('margin');
    const fewWords = at({ hits: [hit(1, 'a', 0.49, SW, 0), hit(2, 'b', 0.25, SW, 1)] });
    expect(decideAnswerability(fewWords, T).evidence.failed).toBe('lexical');
  });

  it('lets strong issue evidence (exactly at its bars) outweigh the category and need fewer words', () => {
    const strong = at({ hits: [hit(1, 'a', 0.25, HW, 0)], issues: [guess('a', 4), guess('b', 2)] });
    const d = decideAnswerability(strong, T);
    expect(d.kind).toBe('answer');
    expect(check(d, 'category')).toEqual({
      name: 'category',
      ok: true,
      value: HW,
      need: `${SW}, or strength ≥ 4 and margin ≥ 2`,
    });
    expect(check(d, 'lexical')).toMatchObject({ ok: true, need: 0.25 });
    // Just under either bar, it is not strong: the category and the words count again.
    for (const issues of [
      [guess('a', 3.99), guess('b', 1.99)],
      [guess('a', 4), guess('b', 2.01)],
    ]) {
      const weak = decideAnswerability({ ...strong, issues }, T);
      expect(check(weak, 'category')?.ok).toBe(false);
      expect(check(weak, 'lexical')).toMatchObject({ ok: false, need: 0.5 });
    }
  });

  it('weighs issues by how often requests of this intent are about them; the not-IT label carries a handicap', () => {
    // s(a) = 2 + 0.5·ln 0.5 ≈ 1.653; s(not-it) = 2 − 1 and no intent weight: margin ≈ 0.653.
    const d = decideAnswerability(
      at({ issues: [guess('a', 2), guess(NOT_IT, 2)], intentFit: (issue) => (issue === 'a' ? 0.5 : 0.9) }),
      T,
    );
    expect(check(d, 'margin')?.value).toBe(0.653);
    expect(d.evidence.issue).toEqual({ name: 'a', strength: 2, p: 0.2, intentFit: 0.5 });
    expect(d.evidence.runnerUp).toEqual({ name: NOT_IT, strength: 2, p: 0.2, intentFit: null });
  });

  it('tells agreement by the full-text index’s own ranking, ignoring hits it did not find', () => {
    const disagree = at({ hits: [hit(1, 'a', 0.5, SW, 1), hit(2, 'b', 0.25, SW, 0)] });
    expect(decideAnswerability(disagree, T).evidence.retrieval.agrees).toBe(false);
    const onlyModel = at({ hits: [hit(1, 'a', 0.5, SW, null), hit(2, 'b', 0.25, SW, 0)] });
    expect(decideAnswerability(onlyModel, T).evidence.retrieval.agrees).toBe(false);
    expect(check(decideAnswerability(onlyModel, T), 'strength')?.need).toBe(3);
  });

  it('ranks an article among articles only: an entry made from tickets ahead of it does not count', () => {
    const d = decideAnswerability(
      at({ hits: [hit(9, null, 0.5, SW, 0), hit(1, 'a', 0.5, SW, 1), hit(2, 'b', 0.25, SW, 2)] }),
      T,
    );
    expect(d.entry?.id).toBe(1);
    expect(d.evidence.basis).toBe('issue');
    expect(check(d, 'retrieval')).toMatchObject({ ok: true, value: 1 });
    expect(d.evidence.retrieval).toMatchObject({ rank: 1, score: 0.5 });
    expect(d.evidence.retrieval.top).toEqual([
      { id: 9, issue: null, score: 0.5 },
      { id: 1, issue: 'a', score: 0.5 },
      { id: 2, issue: 'b', score: 0.25 },
    ]);
    const many = at({ hits: [1, 2, 3, 4].map((n) => hit(n, n === 1 ? 'a' : `x${n}`, 0.5, SW, n - 1)) });
    expect(decideAnswerability(many, T).evidence.retrieval.top).toHaveLength(3);
  });

  it('names the missing article and checks its category as not matching', () => {
    const d = decideAnswerability(at({ hits: [hit(2, 'b', 0.25, SW, 0)] }), T);
    expect(d.kind).toBe('none');
    expect(check(d, 'candidate')).toEqual({ name: 'candidate', ok: false, value: null, need: 'the article for a' });
    expect(check(d, 'category')).toMatchObject({ ok: false, value: null });
    expect(d.evidence.basis).toBeNull();
    expect(d.evidence.retrieval.rank).toBeNull();
    const nothing = decideAnswerability(at({ hits: [], issues: [] }), T);
    expect(names(nothing)).toEqual(['safety:true', 'candidate:false']);
    expect(check(nothing, 'candidate')?.need).toBe('the article for a known issue');
  });

  it('stops offering an entry that did not help often enough, and more often than it solved', () => {
    const asked: string[] = [];
    const rec = (table: Record<string, { solved: number; failed: number }>) => (_id: number, kind: string) => {
      asked.push(kind);
      return table[kind];
    };
    const d = (table: Record<string, { solved: number; failed: number }>) =>
      check(decideAnswerability(at({ record: rec(table) }), T), 'record');
    expect(d({ 'issue:a': { solved: 0, failed: 1 } })).toEqual({
      name: 'record',
      ok: true,
      value: '1 did not help, 0 solved (issue:a)',
      need: 'fewer than 2 did not help, or no more than solved',
    });
    expect(d({ 'issue:a': { solved: 2, failed: 2 } })?.ok).toBe(true);
    expect(d({ 'issue:a': { solved: 1, failed: 2 } })?.ok).toBe(false);
    // The issue's record first; the category's when the issue has none.
    expect(d({ 'issue:a': { solved: 1, failed: 0 }, [`category:${SW}`]: { solved: 0, failed: 5 } })?.ok).toBe(true);
    expect(d({ [`category:${SW}`]: { solved: 0, failed: 5 } })?.value).toBe(
      `5 did not help, 0 solved (category:${SW})`,
    );
    // Only an entry that passed every other check is looked up at all.
    asked.length = 0;
    const failing = decideAnswerability(at({ issues: [guess('a', 1), guess('b', 0)], record: rec({}) }), T);
    expect(names(failing)).not.toContain('record:true');
    expect(failing.evidence.checks.map((c) => c.name)).not.toContain('record');
  });

  it('answers with an entry made from tickets only when its words match well, clearly best, in the same category', () => {
    const asked: string[] = [];
    const ticketMade = (first: number, next: number | null, category = SW): AnswerabilityInput =>
      at({
        hits: [hit(7, null, first, category, 0), ...(next === null ? [] : [hit(8, null, next, SW, 1)])],
        issues: [],
        record: (_id, kind) => {
          asked.push(kind);
          return undefined;
        },
      });
    const ok = decideAnswerability(ticketMade(0.75, 0.5), T);
    expect(ok.kind).toBe('answer');
    expect(ok.evidence.basis).toBe('text');
    expect(ok.evidence.issue).toBeNull();
    expect(ok.evidence.checks.slice(1)).toEqual([
      { name: 'candidate', ok: true, value: 7, need: 'an entry made from tickets' },
      { name: 'lexical', ok: true, value: 0.75, need: 0.75 },
      { name: 'margin', ok: true, value: 0.25, need: 0.25 },
      { name: 'category', ok: true, value: SW, need: SW },
      { name: 'record', ok: true, value: 'none', need: 'fewer than 2 did not help, or no more than solved' },
    ]);
    expect(asked).toEqual([`category:${SW}`]);
    expect(decideAnswerability(ticketMade(0.8, null), T).kind).toBe('answer');
    expect(decideAnswerability(ticketMade(0.74, 0.25), T).evidence.failed).toBe('lexical');
    expect(decideAnswerability(ticketMade(0.75, 0.51), T).evidence.failed).toBe('margin');
    expect(decideAnswerability(ticketMade(0.9, 0.1, HW), T).evidence.failed).toBe('category');
  });

  it('prefers a clearly best entry made from tickets to the article of the best issue', () => {
    const d = decideAnswerability(at({ hits: [hit(7, null, 0.9, SW, 0), hit(1, 'a', 0.5, SW, 1)] }), T);
    expect(d.entry?.id).toBe(7);
    expect(d.evidence.basis).toBe('text');
  });

  it('takes the first of two articles the full-text index ranks the same', () => {
    const tie = at({ hits: [hit(1, 'a', 0.5, SW, 0), hit(2, 'b', 0.25, SW, 0)] });
    expect(decideAnswerability(tie, T).evidence.retrieval.agrees).toBe(true);
  });

  it('says which safety rule blocked, and records it as blocked', () => {
    const d = decideAnswerability(at({ signals: ['security:attack-attempt'] }), T);
    expect(d.reason).toContain('security concern (attack-attempt)');
    expect(d.evidence.checks[0]).toEqual({ name: 'safety', ok: false, value: 'blocked', need: 'clear' });
  });
});
