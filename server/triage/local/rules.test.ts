import { describe, expect, it } from 'vitest';
import type { Intent } from '../../domain/vocabulary.js';
import { applyRules, detectIntent } from './rules.js';

describe('detectIntent', () => {
  const cases: [string, Intent][] = [
    ['need adobe acrobat pro installed please', 'service_request'],
    ['please take me off the munich-office-news list', 'service_request'],
    ["I'd like a second monitor for my desk", 'service_request'],
    ['Defender quarantined a file from my downloads', 'incident'],
    ['my password expired and I am at home', 'incident'],
    ['GlobalProtect says connecting forever', 'incident'],
    ['my new password keeps getting rejected', 'incident'],
    ['how do I join the pune-all distribution list', 'question'],
    ['Where can I find the information security policy?', 'question'],
    ['thanks, that fixed it', 'closure'],
  ];
  it.each(cases)('%s → %s', (text, intent) => {
    expect(detectIntent(text)).toBe(intent);
  });
});

describe('outage rule', () => {
  it.each([
    'Nobody in the Warsaw office can log in since 7am',
    'no one is able to print on the 2nd floor',
    'basically nobody can do a new login anywhere',
  ])('%s → critical:outage', (text) => {
    expect(applyRules(text).signals).toContain('critical:outage');
  });
  it('keeps "nobody has answered" out of it', () => {
    expect(applyRules('nobody has answered my last ticket about the printer').signals).toEqual([]);
  });
});
