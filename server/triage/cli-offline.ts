/**
 * An entry point's wiring (like main.ts, for the evaluation CLIs, benchmarks and the planner's tests): the triage
 * stack on its own: a private database (in-memory SQLite unless
 * given one) seeded with the roster and the knowledge base's templates, the same KB search, issue model, intent
 * profile, classifiers, routing and answer planner as the server, and no ticket service.
 */
import type { Config } from '../config.js';
import { createDatabase } from '../db/database.js';
import { migrateUp } from '../db/migrate.js';
import { initModels } from '../db/models.js';
import { createAgents } from '../agents/agents.js';
import { loadExtraPhrasings, loadIssuePhrasings, loadResolutions, loadRoster } from '../seeds.js';
import { createKb } from '../kb/entries.js';
import { createIssueModel, issueExamples } from '../kb/issue-model.js';
import { createKbSearch } from '../kb/search.js';
import { silentLogger, type Logger } from '../log.js';
import type { AnswerThresholds } from './answerability.js';
import { createIntentProfile } from './intents.js';
import { createLocalClassifier, loadSeedExamples } from './local/classifier.js';
import { createOpenAIClassifier, createOpenAIClient } from './openai.js';
import { createOpenAIWriter } from './openai-writer.js';
import { createAnswerPlanner } from './plan.js';
import { createTriage } from './service.js';
import type { Classification, ClassifyInput } from './types.js';

export async function createOfflineTriage(opts: {
  rootDir: string;
  aiMinConfidence: number;
  /** OpenAI classifies and writes when an API key is given; the local classifier is the fallback either way. */
  openai?: Config['openai'];
  databaseUrl?: string;
  log?: Logger;
  /** Answerability thresholds other than the tuned ones (for experiments). */
  thresholds?: AnswerThresholds;
}) {
  const log = opts.log ?? silentLogger;
  const sequelize = createDatabase(opts.databaseUrl ?? 'sqlite::memory:');
  await migrateUp(sequelize);
  const models = initModels(sequelize);
  const phrasings = loadIssuePhrasings();
  // The issue model and the intent profile learn from the extra phrasings too; the KB's search text keeps the seeds.
  const taught = [...phrasings, ...loadExtraPhrasings()];
  const issues = createIssueModel(issueExamples(taught, loadResolutions()));
  const search = createKbSearch({ sequelize, issueHint: (q) => issues.rank(q) });
  const kb = createKb({ models, search });
  const agents = createAgents({ models });
  await agents.seed(loadRoster());
  const byIssue = new Map<string, string[]>();
  for (const t of phrasings) byIssue.set(t.issue, [...(byIssue.get(t.issue) ?? []), t.text]);
  await kb.seedTemplates(loadResolutions(), byIssue);
  // Nobody has open tickets here: routing picks by skill alone.
  const roster = (await agents.active()).map((a) => ({ ...a, openTickets: 0 }));
  const local = createLocalClassifier(loadSeedExamples(opts.rootDir));
  const client = opts.openai?.apiKey
    ? createOpenAIClient({
        apiKey: opts.openai.apiKey,
        baseURL: opts.openai.baseUrl,
        model: opts.openai.model,
        timeoutMs: opts.openai.timeoutMs,
      })
    : null;
  const primary = client
    ? createOpenAIClassifier({
        client,
        model: opts.openai!.model,
        agentNames: async () => roster.map((a) => a.name),
      })
    : local;
  const planner = createAnswerPlanner({
    search,
    issues,
    intents: createIntentProfile(taught),
    writer: client ? createOpenAIWriter({ client, model: opts.openai!.model }) : null,
    outcomes: kb.outcomes,
    log,
    thresholds: opts.thresholds,
  });
  const stack = createTriage({
    primary,
    fallback: local,
    aiMinConfidence: opts.aiMinConfidence,
    log,
    planner,
  });
  const triage = {
    triage: (input: ClassifyInput) => stack.triage(input, roster),
    decide: (input: ClassifyInput, c: Classification) => stack.decide(input, c, roster),
  };
  return {
    triage,
    planner,
    local,
    classifier: primary,
    search,
    issues,
    models,
    kb,
    close: () => sequelize.close(),
  };
}

export type OfflineTriage = Awaited<ReturnType<typeof createOfflineTriage>>;
