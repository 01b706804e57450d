import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';
import { searchTerms } from '../kb/terms.js';

describe('tokenize', () => {
  it('keeps a negation as "not", however it is written', () => {
    const forms = ["I didn't click the link", 'I did not click the link', 'I never clicked the link'];
    for (const f of forms) expect(tokenize(f)).toEqual(expect.arrayContaining(['not', 'click', 'not_click']));
    expect(tokenize("doesn't work")).toEqual(tokenize('not working'));
  });

  it('still drops negations from search terms (they say nothing about which article answers)', () => {
    expect(searchTerms("I didn't click the link")).toEqual(searchTerms('I clicked the link'));
  });
});
