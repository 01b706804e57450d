/** KB search keeps the full-text index's own ranking on each hit (answerability reads it as independent evidence). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { loadResolutions } from '../seeds.js';
import { createKb, type Kb } from './entries.js';
import { solvedBonus } from './search.js';
import { createIssueModel } from './issue-model.js';
import { createKbSearch } from './search.js';

describe('KB search', () => {
  let db: TestDb;
  let kb: Kb;
  beforeAll(async () => {
    db = await createTestDb();
    kb = createKb({ models: db.models, search: createKbSearch({ sequelize: db.sequelize }) });
    await kb.seedTemplates(loadResolutions());
  });
  afterAll(async () => db?.cleanup());

  it('marks each hit with its place in the full-text ranking, null when only the issue model found it', async () => {
    const plain = createKbSearch({ sequelize: db.sequelize });
    const text = await plain.search('battery not charging when plugged in', { limit: 5 });
    expect(text.map((h) => h.textRank)).toEqual(text.map((_, i) => i));
    // An issue hint naming an article the words do not find: fused in, with no full-text place.
    const hinted = createKbSearch({
      sequelize: db.sequelize,
      issueHint: () => [{ issue: 'out-of-office-setup', p: 0.9 }],
    });
    const hits = await hinted.search('battery not charging when plugged in', { limit: 5 });
    const ooo = hits.find((h) => h.issue === 'out-of-office-setup');
    expect(ooo?.textRank).toBeNull();
    expect(hits.find((h) => h.issue === 'battery-not-charging')?.textRank).toBe(0);
  });

  it('ranks an entry requesters confirmed above one nobody did (solved counts change ranking)', async () => {
    const search = createKbSearch({ sequelize: db.sequelize });
    const q = 'my laptop is dead, it does not charge or turn on';
    const before = await search.search(q, { limit: 5 });
    const [first, second] = before;
    expect(first!.solved).toBe(0);
    // Confirmations of the runner-up ("this solved it", closing replies) lift it above the first.
    for (let i = 0; i < 4; i++) await kb.outcomes.record(null, second!.id, ['category:Hardware / Device'], 'solved');
    const after = await search.search(q, { limit: 5 });
    expect(after[0]).toMatchObject({ id: second!.id, solved: 4 });
    expect(after[1]!.id).toBe(first!.id);
    // "Did not help" does not change the global ranking: it counts against the entry for that kind only.
    await kb.outcomes.record(null, second!.id, ['issue:battery-not-charging'], 'failed');
    expect((await search.search(q, { limit: 5 }))[0]!.id).toBe(second!.id);
    const counts = await kb.outcomes.counts([second!.id]);
    expect(counts.get(second!.id)?.get('issue:battery-not-charging')).toEqual({ solved: 0, failed: 1 });
    expect(counts.get(second!.id)?.get('category:Hardware / Device')).toEqual({ solved: 4, failed: 0 });
  });

  it('keeps popularity below relevance: the bonus is capped', () => {
    expect(solvedBonus(0)).toBe(0);
    expect(solvedBonus(3)).toBeGreaterThan(1 / 4 - 1 / 5);
    expect(solvedBonus(1e9)).toBe(0.15);
  });
});

describe('issue model', () => {
  it('reads synonyms as the same word ("notebook" is a laptop)', () => {
    const m = createIssueModel([
      { issue: 'laptop-wont-power-on', text: 'my laptop will not start' },
      { issue: 'laptop-wont-power-on', text: 'laptop dead, no lights' },
      { issue: 'printer-offline', text: 'printer shows offline' },
    ]);
    expect(m.rank('my notebook will not start')).toEqual(m.rank('my laptop will not start'));
  });

  it('reads a word one typo away from a known one as that word, unless two words are as near', () => {
    const m = createIssueModel([
      { issue: 'password-reset', text: 'my password expired' },
      { issue: 'password-reset', text: 'forgot my password' },
      { issue: 'calendar-sharing', text: 'share my calendar with a colleague' },
      { issue: 'printer-offline', text: 'printer shows offline' },
      { issue: 'email-delivery-failure', text: 'my mail bounced' },
      { issue: 'printer-offline', text: 'nothing printed' },
    ]);
    expect(m.rank('my pasword expired')).toEqual(m.rank('my password expired'));
    expect(m.rank('share my calender')).toEqual(m.rank('share my calendar'));
    // "printe" is one edit from "printer" and from "printed": no guess.
    expect(m.rank('printe')).not.toEqual(m.rank('printer'));
    // Short words are never corrected ("mal" is not "mail").
    expect(m.rank('mal')).not.toEqual(m.rank('mail'));
  });
});
