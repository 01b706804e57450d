import { describe, expect, it } from 'vitest';
import { LEVELS, type Intent, type Level } from '../../domain/vocabulary.js';
import { decideLevels } from './levels.js';

/** A model guess: `label` with probability `p` (the rest spread evenly). */
const guess = (label: Level, p = 0.8) => ({
  label,
  proba: Float64Array.from(LEVELS, (l) => (l === label ? p : (1 - p) / 3)),
});

type Case = [string, Level, number, Intent, Level | null, Level | null, Level, Level, string[]];

describe('decideLevels', () => {
  const cases: Case[] = [
    // text, model guess, its probability, intent, rule floor, urgency floor → severity, urgency, cues
    [
      'How do I blur my background in Teams?',
      'medium',
      0.6,
      'question',
      null,
      null,
      'low',
      'low',
      ['level:self-service'],
    ],
    [
      'please add me to the sales-emea list',
      'medium',
      0.6,
      'service_request',
      null,
      null,
      'low',
      'low',
      ['level:self-service'],
    ],
    ['my password expired', 'low', 0.7, 'incident', null, null, 'low', 'low', []],
    ['printer offline', 'low', 0.4, 'incident', null, null, 'medium', 'medium', []],
    [
      'locked out and I present to a customer in 40 minutes',
      'medium',
      0.6,
      'incident',
      null,
      null,
      'medium',
      'high',
      ['level:deadline-hours'],
    ],
    [
      'the contracts must be signed at 11.',
      'low',
      0.8,
      'incident',
      null,
      null,
      'low',
      'high',
      ['level:deadline-hours'],
    ],
    [
      'I need this file for a meeting this afternoon',
      'low',
      0.8,
      'incident',
      null,
      null,
      'low',
      'medium',
      ['level:deadline-today'],
    ],
    ['monitor flickers, not urgent', 'medium', 0.8, 'incident', null, null, 'medium', 'low', ['level:no-rush']],
    [
      'the whole sales floor has very slow internet',
      'medium',
      0.8,
      'incident',
      null,
      null,
      'high',
      'high',
      ['level:team'],
    ],
    ['25 people cannot print', 'low', 0.9, 'incident', null, null, 'high', 'high', ['level:team']],
    [
      'Is this known? It is the same for everybody here.',
      'low',
      0.9,
      'question',
      null,
      null,
      'medium',
      'medium',
      ['level:team'],
    ],
    ['Only me, my colleagues are fine. Everyone else can print.', 'low', 0.9, 'incident', null, null, 'low', 'low', []],
    [
      'How do I decrypt my files? There is a ransom note.',
      'low',
      0.9,
      'question',
      'critical',
      null,
      'critical',
      'critical',
      ['level:self-service'],
    ],
    ['I typed my password into a fake page', 'medium', 0.8, 'incident', 'high', 'critical', 'high', 'critical', []],
  ];
  it.each(cases)('%s', (text, label, p, intent, floor, urgencyFloor, severity, urgency, cues) => {
    expect(decideLevels(guess(label, p), text, { intent, floor, urgencyFloor })).toEqual({ severity, urgency, cues });
  });

  it('does not read a room number or a date as a deadline', () => {
    for (const text of ['wifi drops in room 3.14 at 3rd floor', 'by 2 weeks from now', 'at 12 of 20 desks'])
      expect(decideLevels(guess('low'), text, { intent: 'incident', floor: null, urgencyFloor: null }).urgency).toBe(
        'low',
      );
  });
});
