/** KB search keeps the full-text index's own ranking on each hit (answerability reads it as independent evidence). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { loadResolutions } from '../seeds.js';
import { createKb } from './entries.js';
import { createIssueModel } from './issue-model.js';
import { createKbSearch } from './search.js';

describe('KB search', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    await createKb({ models: db.models, search: createKbSearch({ sequelize: db.sequelize }) }).seedTemplates(
      loadResolutions(),
    );
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
});
