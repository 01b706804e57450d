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
