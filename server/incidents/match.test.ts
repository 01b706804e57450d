/** The matching rules, one by one (match.ts), and the words they compare (words.ts). */
import { describe, expect, it } from 'vitest';
import { loadIncidentIssues, loadIssuePhrasings } from '../seeds.js';
import { joinScore, personal, samePair, scopeOf, THRESHOLDS, titleFor, type Signal } from './match.js';
import { centroid, cosine, createWords, fold } from './words.js';

const traits = loadIncidentIssues();
const words = createWords(loadIssuePhrasings());
const sig = (o: Partial<Signal> & { text?: string }): Signal => ({
  ticketId: 1,
  requesterKey: 'a@corp.example',
  category: 'Networking & Connectivity',
  devCenter: 'Pune',
  issue: 'vpn-cant-connect',
  issueZ: 3,
  runner: 'vpn-drops',
  runnerZ: 1,
  createdAt: new Date(),
  ...o,
  terms: o.terms ?? words.terms(o.text ?? 'the vpn does not connect'),
});

describe('words', () => {
  it('weighs content words the seeds know and compares them by cosine', () => {
    const a = words.terms('GlobalProtect says the gateway is unreachable');
    expect(cosine(a, a)).toBeCloseTo(1, 3);
    // Synonyms fold (globalprotect → vpn); names and numbers the seeds never use carry nothing.
    expect(Object.keys(a)).toContain('vpn');
    expect(Object.keys(words.terms('Rohan Kulkarni pune-gw01 4711'))).toEqual([]);
    expect(cosine(a, words.terms('the printer on floor 3 is jammed'))).toBeLessThan(0.1);
  });
  it('keeps an incident profile as a sum whose centroid stays normalised', () => {
    const p = [words.terms('vpn will not connect'), words.terms('vpn gateway not responding')].reduce(fold, {
      n: 0,
      terms: {},
    });
    expect(p.n).toBe(2);
    const c = centroid(p);
    expect(cosine(c, c)).toBeCloseTo(1, 3);
  });
});

describe('two tickets about the same problem', () => {
  it('same shareable known issue, same category and centre', () => {
    expect(samePair(sig({}), sig({ text: 'remote access broken' }), traits)).toBe(true);
  });
  it('not in another centre, unless the issue is not local to one', () => {
    expect(samePair(sig({}), sig({ devCenter: 'Austin' }), traits)).toBe(false);
    const mail = { category: 'Collaboration Tools', issue: 'email-delivery-failure', issueZ: 2 };
    expect(samePair(sig(mail), sig({ ...mail, devCenter: 'Austin' }), traits)).toBe(true);
    expect(scopeOf(sig(mail), traits)).toBe('global');
  });
  it('not in another category, whatever the words', () => {
    expect(samePair(sig({}), sig({ category: 'Access & Authentication' }), traits)).toBe(false);
  });
  it('never for one-person issues (a password, a laptop, a request), even in the same words', () => {
    const pw = { category: 'Access & Authentication', issue: 'password-reset', issueZ: 4, text: 'forgot my password' };
    expect(personal(sig(pw), traits)).toBe(true);
    expect(samePair(sig(pw), sig({ ...pw, ticketId: 2 }), traits)).toBe(false);
  });
  it('a weak guess is no known issue: then only close words count', () => {
    const weak = { issue: 'vpn-cant-connect', issueZ: THRESHOLDS.issue - 0.1 };
    expect(samePair(sig(weak), sig({ ...weak, text: 'the printer is jammed' }), traits)).toBe(false);
    expect(samePair(sig(weak), sig(weak), traits)).toBe(true);
  });
});

describe('joining an open incident', () => {
  const incident = {
    category: 'Networking & Connectivity',
    devCenter: 'Pune',
    scope: 'centre' as const,
    issue: 'vpn-cant-connect',
    profile: fold({ n: 0, terms: {} }, words.terms('vpn not connecting, gateway unreachable')),
  };
  it('by its issue at the lower strength, or a runner-up nearly as good', () => {
    expect(joinScore(sig({ issueZ: THRESHOLDS.joinIssue }), incident, traits)).toBeGreaterThan(1);
    expect(
      joinScore(
        sig({
          issue: 'wifi-cant-connect',
          issueZ: 1.2,
          runner: 'vpn-cant-connect',
          runnerZ: 1.1,
          text: 'cannot get on',
        }),
        incident,
        traits,
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      joinScore(
        sig({ issue: 'wifi-cant-connect', issueZ: 3, runner: 'vpn-cant-connect', runnerZ: 1.1, text: 'wifi' }),
        incident,
        traits,
      ),
    ).toBe(0);
  });
  it('not from another centre or category; by close words otherwise', () => {
    expect(joinScore(sig({ devCenter: 'Lisbon' }), incident, traits)).toBe(0);
    expect(joinScore(sig({ category: 'Hardware / Device' }), incident, traits)).toBe(0);
    expect(
      joinScore(
        sig({
          issue: null,
          issueZ: null,
          runner: null,
          runnerZ: null,
          text: 'gateway unreachable, vpn not connecting',
        }),
        incident,
        traits,
      ),
    ).toBeGreaterThan(THRESHOLDS.joinText);
  });
});

describe('titles (public: never from a ticket)', () => {
  it('names the issue and the centre, or all centres', () => {
    expect(titleFor({ issue: 'vpn-cant-connect', category: 'x', devCenter: 'Pune', scope: 'centre' }, traits)).toBe(
      'The VPN is not connecting in Pune',
    );
    expect(titleFor({ issue: 'sso-outage', category: 'x', devCenter: null, scope: 'global' }, traits)).toBe(
      'Single sign-on is failing (all centres)',
    );
    expect(titleFor({ issue: null, category: 'Hardware / Device', devCenter: 'Austin', scope: 'centre' }, traits)).toBe(
      'Hardware / Device: many reports of one problem in Austin',
    );
  });
});
