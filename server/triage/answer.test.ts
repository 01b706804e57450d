/** The current call site's answerer (create.ts → compose) answers only when answerability's evidence agrees. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../tests/support/db.js';
import { loadIssuePhrasings, seedBase } from '../db/seed.js';
import { createKb } from '../kb/entries.js';
import { createIssueModel } from '../kb/issue-model.js';
import { createKbSearch } from '../kb/search.js';
import { silentLogger } from '../log.js';
import { createAnswerer, type Answerer } from './answer.js';

describe('answerer (compose)', () => {
  let db: TestDb;
  let answerer: Answerer;
  beforeAll(async () => {
    db = await createTestDb();
    // Wired as main.ts wires it today: the search's issue model trained on the phrasings.
    const issues = createIssueModel(loadIssuePhrasings());
    const search = createKbSearch({ sequelize: db.sequelize, issueHint: (q) => issues.rank(q) });
    await seedBase(db.models, createKb({ models: db.models, search }));
    answerer = createAnswerer({ search, log: silentLogger });
  });
  afterAll(async () => db?.cleanup());

  const compose = (text: string, category: string) =>
    answerer.compose({ subject: '', text, category, requesterName: 'Kim' });

  it('answers a request the evidence fits, with that one template', async () => {
    const a = await compose('How do I set up an automatic reply in Outlook before my holiday?', 'Collaboration Tools');
    expect(a).toMatchObject({ ok: true, composer: 'template' });
    expect(a.answer).toMatch(/^This looks like “Set up an out-of-office/);
    expect(a.sources).toHaveLength(1);
  });

  it('does not answer a request no entry fits, even when a search hit scores above the old bar', async () => {
    const a = await compose('where do I find the public holidays for the Kraków office', 'Collaboration Tools');
    expect(a.ok).toBe(false);
    expect(a.reason).toMatch(/does not look like any known issue|fit about equally/);
  });

  it('never answers a critical incident', async () => {
    const a = await compose('Ransom note on my screen, all files on the share are encrypted.', 'Security & Compliance');
    expect(a.ok).toBe(false);
    expect(a.reason).toMatch(/critical incident/);
  });
});
