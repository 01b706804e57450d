/**
 * The answer plan with OpenAI configured, through the real SDK against the local chat-completions server: the model
 * classifies, then writes only from the retrieved entries or says it cannot; the same evidence is recorded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../../tests/support/db.js';
import { startOpenAIStub, type OpenAIStub, type StubReply } from '../../tests/support/openai-stub.js';
import { createOfflineTriage, type OfflineTriage } from './cli-offline.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const classification = JSON.stringify({
  category: 'Collaboration Tools',
  severity: 'low',
  urgency: 'low',
  suggested_agent: null,
  sentiment: 'neutral',
  intent: 'question',
  complex: false,
  confidence: 0.95,
  summary: 'Wants an automatic reply.',
});
/** Classifies every ticket as above; the writer's reply comes from `write` (given the ids it may cite). */
const script =
  (write: (ids: number[]) => StubReply) =>
  (body: { tools: { function: { name: string; parameters: any } }[] }): StubReply =>
    body.tools[0]!.function.name === 'classify_ticket'
      ? { toolCall: { name: 'classify_ticket', arguments: classification } }
      : write(body.tools[0]!.function.parameters.properties.used_source_ids.items.enum);
const answer = (a: { can_answer: boolean; answer: string; used_source_ids: number[] }): StubReply => ({
  toolCall: { name: 'answer_ticket', arguments: JSON.stringify(a) },
});

const OOO = { subject: 'automatic reply', text: 'How do I set up an automatic reply in Outlook before my holiday?' };

describe('answer plan with OpenAI', () => {
  let ai: OpenAIStub;
  let off: OfflineTriage;
  let drop: () => Promise<void>;
  let oooEntry: number;
  beforeAll(async () => {
    ai = await startOpenAIStub();
    const db = await freshDatabaseUrl();
    drop = db.drop;
    off = await createOfflineTriage({
      rootDir: root,
      aiMinConfidence: 0.55,
      databaseUrl: db.url,
      openai: { apiKey: 'test-key', baseUrl: ai.baseURL, model: 'gpt-test', timeoutMs: 2000 },
    });
    oooEntry = (await off.models.KbEntry.findOne({ where: { issue: 'out-of-office-setup' } }))!.id;
  }, 60_000);
  afterAll(async () => {
    await off?.close();
    await drop?.();
    await ai?.stop();
  });
  beforeEach(() => {
    ai.requests.length = 0;
  });
  const writerRequest = () => ai.requests.find((r) => r.tools[0].function.name === 'answer_ticket');

  it('answers from the retrieved entries only, the decided entry first, and records the writer', async () => {
    ai.respondWith(
      script((ids) =>
        answer({ can_answer: true, answer: 'Open File › Automatic Replies.', used_source_ids: [ids[0]!] }),
      ),
    );
    const r = await off.triage.triage(OOO);
    expect(r.classification.classifier).toBe('openai:gpt-test');
    expect(r.decision.route).toBe('ai');
    expect(r.plan).toMatchObject({
      kind: 'answer',
      answer: 'Open File › Automatic Replies.',
      composer: 'openai:gpt-test',
      entry: { id: oooEntry },
      sources: [{ id: oooEntry }],
    });
    expect(r.plan!.evidence).toMatchObject({
      decision: 'answer',
      issue: { name: 'out-of-office-setup' },
      writer: { name: 'openai:gpt-test', canAnswer: true, usedSourceIds: [oooEntry] },
    });
    const req = writerRequest();
    const allowed: number[] = req.tools[0].function.parameters.properties.used_source_ids.items.enum;
    expect(allowed[0]).toBe(oooEntry);
    expect(allowed.length).toBeLessThanOrEqual(3);
    // The material handed over is exactly the entries the model may cite.
    const cited = [...req.messages[1].content.matchAll(/^\[(\d+)\] /gm)].map((m: RegExpMatchArray) => Number(m[1]));
    expect(cited).toEqual(allowed);
  });

  it('gives nothing and sends the ticket to the pool when the model says the material does not answer it', async () => {
    ai.respondWith(script(() => answer({ can_answer: false, answer: '', used_source_ids: [] })));
    const r = await off.triage.triage(OOO);
    expect(r.plan).toMatchObject({ kind: 'none', composer: 'openai:gpt-test' });
    expect(r.plan!.reason).toMatch(/model found nothing/);
    expect(r.plan!.evidence).toMatchObject({ decision: 'none', failed: 'writer', writer: { canAnswer: false } });
    expect(r.decision).toMatchObject({ route: 'pool', agent: null });
  });

  for (const [what, reply] of [
    [
      'cites an entry it was not given',
      answer({ can_answer: true, answer: 'Call 555-0199 and ask for Bob.', used_source_ids: [999_999] }),
    ],
    ['fails (500)', { status: 500 } as StubReply],
  ] as const) {
    it(`renders the template instead when the model ${what}, and records it`, async () => {
      ai.respondWith(script(() => reply));
      const r = await off.triage.triage(OOO);
      expect(r.plan).toMatchObject({ kind: 'answer', composer: 'template', entry: { id: oooEntry } });
      expect(r.plan!.answer).toMatch(/^This looks like/);
      expect(r.plan!.answer).not.toContain('555-0199');
      expect(r.plan!.evidence.writer).toMatchObject({ name: 'openai:gpt-test', canAnswer: null });
      expect(r.plan!.evidence.writer!.error).toBeTruthy();
    });
  }

  it('never asks the writer about a request answerability rejects', async () => {
    ai.respondWith(script(() => answer({ can_answer: true, answer: 'x', used_source_ids: [] })));
    const r = await off.triage.triage({ text: 'Where can I get a parking badge for the underground garage?' });
    expect(r.plan!.kind).toBe('none');
    expect(writerRequest()).toBeUndefined();
  });

  it('eval:answers measures the configured model (OpenAI) with the same report', async () => {
    ai.respondWith(
      script((ids) => answer({ can_answer: true, answer: 'Follow the steps.', used_source_ids: [ids[0]!] })),
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'hd-eval-'));
    const file = path.join(dir, 'set.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ subject: OOO.subject, body: OOO.text, expect: 'out-of-office-setup' }),
        JSON.stringify({ body: 'Where can I get a parking badge for the underground garage?', expect: null }),
        JSON.stringify({ body: 'no expect field' }),
        'not json',
      ].join('\n'),
    );
    const { stdout, stderr } = await promisify(execFile)('npx', ['tsx', 'server/triage/cli-eval-answers.ts', file], {
      cwd: root,
      env: { ...process.env, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: ai.baseURL, OPENAI_MODEL: 'gpt-test' },
    });
    expect(stdout).toContain('classifier: openai:gpt-test ×2; writer: openai:gpt-test');
    expect(stdout).toContain('requests: 2 (answerable 1, unanswerable 1)');
    expect(stdout).toContain('coverage: 100.0 % (1/1');
    expect(stdout).toContain('wrong: 0.0 % (0/1');
    expect(stderr).toMatch(/line 3 skipped: expect must be a known issue slug or null/);
    expect(stderr).toMatch(/line 4 skipped/);
  }, 60_000);
});
