/** The answer plan end to end: real classifier, KB search on the test database, routing and answerability. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, testDialect } from '../../tests/support/db.js';
import { loadResolutions } from '../seeds.js';
import { evaluateAnswers, parseAnswerItems } from './eval-answers.js';
import { createOfflineTriage, type OfflineTriage } from './cli-offline.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('answer plan (local)', () => {
  let off: OfflineTriage;
  let drop: () => Promise<void>;
  let issueOf: Map<number, string | null>;
  beforeAll(async () => {
    const db = await freshDatabaseUrl();
    drop = db.drop;
    off = await createOfflineTriage({ rootDir: root, aiMinConfidence: 0.55, databaseUrl: db.url });
    issueOf = new Map((await off.models.KbEntry.findAll()).map((e) => [e.id, e.issue]));
  }, 60_000);
  afterAll(async () => {
    await off?.close();
    await drop?.();
  });

  // The issue's own examples: each must get its entry (answer or suggestion), or nothing — never a wrong one.
  it('does not answer "need adobe acrobat pro installed please" with the licence-error article', async () => {
    const { plan } = await off.triage.triage({ text: 'need adobe acrobat pro installed please' });
    const got = plan!.kind === 'none' ? null : issueOf.get(plan!.entry!.id);
    expect([null, 'app-install-request']).toContain(got);
  });
  const examples: [string, string | null][] = [
    ['where do I find the public holidays for the Kraków office', null],
    ["my password expired and I'm at home", 'password-reset'],
    ['how do I give my colleague access to my calendar', 'calendar-sharing'],
    ['how do I join the pune-all distribution list', 'distribution-list-membership'],
    ['GlobalProtect says connecting forever', 'vpn-cant-connect'],
    ['Defender quarantined a file from my downloads', 'antivirus-alert'],
  ];
  it.each(examples)('%s → %s', async (text, expected) => {
    const { plan } = await off.triage.triage({ text });
    const got = plan!.kind === 'none' ? null : issueOf.get(plan!.entry!.id);
    expect({ got, reason: plan!.reason }).toMatchObject({ got: expected });
    if (plan!.kind === 'answer') expect(plan!.answer).toMatch(/^This looks like/);
  });

  it('meets its measured floors on the held-out answerability set (never tuned on)', async () => {
    const file = readFileSync(new URL('../../tests/fixtures/answers-holdout.jsonl', import.meta.url), 'utf8');
    const { items, errors } = parseAnswerItems(file, new Set(loadResolutions().map((r) => r.issue)));
    expect(errors).toEqual([]);
    expect(items.filter((i) => i.expect).length).toBeGreaterThanOrEqual(40);
    expect(items.filter((i) => !i.expect).length).toBeGreaterThanOrEqual(15);
    const r = await evaluateAnswers(off, items);
    process.stdout.write(
      `answers held-out: coverage ${(100 * r.coverage).toFixed(1)}% (${r.right}/${r.answerable}), ` +
        `wrong ${(100 * r.wrongRate).toFixed(1)}% (${r.wrong}/${r.answers + r.suggestions}); ` +
        `answers ${r.answers}, suggestions ${r.suggestions}\n`,
    );
    // Measured once, after all tuning on the development sets: 87.0 % (47/54) and 2.1 % (1/48) on SQLite and on
    // MariaDB alike (README, Quality); the bar is ≥ 85 % and ≤ 3 %. The full-text ranking differs by dialect (FTS5
    // BM25 vs InnoDB natural-language mode), and with it the agreement evidence, so the floors are per dialect.
    const [coverage, wrong] = testDialect === 'mysql' ? [0.86, 0.025] : [0.86, 0.025];
    expect(r.coverage).toBeGreaterThanOrEqual(coverage);
    expect(r.wrongRate).toBeLessThanOrEqual(wrong);
  }, 60_000);

  it('answers a self-service request routed to the AI agent, and the ticket stays with the AI agent', async () => {
    const r = await off.triage.triage({
      subject: 'out of office',
      text: 'How do I set up an automatic reply in Outlook?',
    });
    expect(r.decision.route).toBe('ai');
    expect(r.plan).toMatchObject({ kind: 'answer', composer: 'template', entry: { title: expect.any(String) } });
    expect(issueOf.get(r.plan!.entry!.id)).toBe('out-of-office-setup');
    expect(r.plan!.sources).toEqual([expect.objectContaining({ id: r.plan!.entry!.id })]);
    expect(r.plan!.evidence).toMatchObject({ decision: 'answer', basis: 'issue', failed: null, route: 'ai' });
  });

  it('sends an AI-routed ticket it cannot answer to the pool, the rule saying why', async () => {
    const input = { text: 'How do I register for the company summer party?' };
    const c = await off.local.classify(input);
    // Low, low and sure: the rule table sends it to the AI agent; answerability finds nothing that fits.
    const r = await off.triage.decide(input, {
      ...c,
      severity: 'low',
      urgency: 'low',
      confidence: 0.99,
      complex: false,
    });
    expect(r.plan).toMatchObject({ kind: 'none', evidence: { route: 'ai' } });
    expect(r.decision).toMatchObject({ route: 'pool', agent: null });
    expect(r.decision.rule).toBe(`low+low+confident→ai; ${r.plan!.reason}→pool`);
  });

  it('gives a critical incident neither an answer nor an article', async () => {
    const r = await off.triage.triage({
      subject: 'files encrypted',
      text: 'All files on the S: drive have a .locked extension and there is a ransom note asking for bitcoin.',
    });
    expect(r.decision.route).toBe('it_team');
    expect(r.plan).toMatchObject({ kind: 'none', composer: 'none' });
    expect(r.plan!.evidence.failed).toBe('safety');
    expect(r.plan!.reason).toMatch(/critical incident/);
  });

  it('decides from a given classification too (one call after classifying)', async () => {
    const input = { text: 'how do I blur my background in Teams?' };
    const c = await off.local.classify(input);
    const r = await off.triage.decide(input, { ...c, signals: [...c.signals, 'critical:outage'] });
    expect(r.plan!.kind).toBe('none');
    expect(r.plan!.evidence.failed).toBe('safety');
  });
});
