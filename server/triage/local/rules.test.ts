import { describe, expect, it } from 'vitest';
import type { Intent } from '../../domain/vocabulary.js';
import { detectIntent } from './rules.js';

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
