/** Composition root: reads config, builds every piece, starts the server and the jobs. The only module that wires. */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createAgents } from './agents/agents.js';
import { createAnalyticsEvents } from './analytics/events.js';
import { foldAnalytics } from './analytics/fold.js';
import { createAnalyticsLinks } from './analytics/links.js';
import { createAnalyticsQueries } from './analytics/queries.js';
import { analyticsRoutes } from './analytics/routes.js';
import { incidentApiRoutes } from './api/incidents.routes.js';
import { ticketApiRoutes } from './api/tickets.routes.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createConsoleAuth } from './console/auth.js';
import { initConsoleModels } from './console/models.js';
import { createPresence } from './console/presence.js';
import { consoleRoutes } from './console/routes.js';
import { createDatabase, databaseUp, warnIfPacketTooSmall } from './db/database.js';
import { createFastSql } from './db/fast-sql.js';
import { createLeases } from './db/leases.js';
import { migrateUp, pendingMigrations } from './db/migrate.js';
import { initModels } from './db/models.js';
import { domainAllowed } from './domain/address.js';
import { createApp } from './http/app.js';
import { createClientIp } from './http/client-ip.js';
import { createRateLimits } from './http/rate-limits.js';
import { requireBundles } from './http/dist.js';
import { createHealth } from './ops/health.js';
import { metricsRoutes } from './ops/metrics.js';
import { createLinkSigner } from './http/signed-links.js';
import { type Job, startJobs } from './jobs.js';
import { createKb } from './kb/entries.js';
import { createIssueModel, issueExamples } from './kb/issue-model.js';
import { kbPages } from './kb/pages.js';
import { kbRoutes } from './kb/routes.js';
import { createKbSearch } from './kb/search.js';
import { createIncidents } from './incidents/incidents.js';
import { initIncidentModels } from './incidents/models.js';
import { createWords } from './incidents/words.js';
import { createLogger, type Logger } from './log.js';
import { createImapSource } from './mail/inbound/imap.js';
import { createTokenProvider } from './mail/oauth/tokens.js';
import { createOidcClient } from './console/oidc.js';
import { createIntake } from './mail/inbound/intake.js';
import type { MailParser } from './mail/inbound/parse-pool.js';
import { inboundRoutes } from './mail/inbound/routes.js';
import { createThreading } from './mail/inbound/threading.js';
import { devOutboxRoutes } from './mail/outbound/dev-outbox.routes.js';
import { createMailIds } from './mail/outbound/ids.js';
import { createNotifier } from './mail/outbound/notify.js';
import { createOutbox } from './mail/outbound/outbox.js';
import { createSender, type DeliverOptions } from './mail/outbound/sender.js';
import { createDevTransport, createSmtpTransport, type MailTransport } from './mail/outbound/transport.js';
import { requesterApiRoutes } from './requester/api.routes.js';
import { requesterPages } from './requester/pages.routes.js';
import { persistentSecret } from './secrets.js';
import {
  loadExtraPhrasings,
  loadIncidentIssues,
  loadIssuePhrasings,
  loadResolutions,
  loadRoster,
  loadSeedTickets,
} from './seeds.js';
import { seedDemo } from './tickets/demo.js';
import { createTicketReads } from './tickets/reads.js';
import { createTicketService } from './tickets/service.js';
import { createReplyDrafter } from './triage/draft.js';
import { createIntentProfile } from './triage/intents.js';
import { createLearningClassifier } from './triage/learning.js';
import { createOpenAIClassifier, createOpenAIClient } from './triage/openai.js';
import { createOpenAIWriter } from './triage/openai-writer.js';
import { createAnswerPlanner } from './triage/plan.js';
import { createTriage } from './triage/service.js';
import { widgetGuards, widgetRoutes } from './widget/routes.js';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BuildOptions {
  log?: Logger;
  clock?: () => Date;
  /** Replace an I/O edge (tests use a real SMTP server, so this is rarely needed). */
  transport?: MailTransport;
  /** Where inbound mail is parsed (default: the process's worker pool); tests pass one with a small budget. */
  mailParser?: MailParser;
}

/** Builds the whole helpdesk from a Config: database migrated and seeded, app and jobs ready to start. */
export async function buildHelpdesk(config: Config, opts: BuildOptions = {}) {
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? (() => new Date());
  const room = (name: string) => log.child({ room: name });
  requireBundles();
  const appSecret = persistentSecret(config.appSecret, config.dataDir, 'app-secret');
  const adminToken = persistentSecret(config.adminApiToken, config.dataDir, 'admin-token').value;

  const sequelize = createDatabase(config.databaseUrl, room('db'));
  await migrateUp(sequelize, room('db'));
  await warnIfPacketTooSmall(sequelize, config.smtp.maxBytes, log);
  const models = initModels(sequelize);
  const consoleModels = initConsoleModels(sequelize);
  // The ticket create path's own SQL beside Sequelize (issue 12): better-sqlite3 / mysql2 prepared statements.
  const fastSql = createFastSql(config.databaseUrl, sequelize);

  const signer = createLinkSigner(appSecret.value, clock);
  const ids = createMailIds(signer, config.smtp.from);
  const outbox = createOutbox({
    models,
    from: config.smtp.from,
    clock,
    log: room('outbox'),
    automaticAllowed: (to) => domainAllowed(to, config.requesterDomains),
  });
  // Rate limits live in the database (they hold across processes and restarts); the client is who TRUSTED_PROXIES say.
  const limits = createRateLimits({ sequelize, clock, clientIp: createClientIp(config.trustedProxies), log });
  // MAIL_AUTH=oauth2: one token provider for IMAP and SMTP (the same mailbox, the same app registration).
  const allowPlaintext = config.mailAuth.allowPlaintext;
  const mailTokens = config.mailAuth.oauth
    ? createTokenProvider(config.mailAuth.oauth, { log: room('oauth'), allowPlaintext })
    : null;
  const transport =
    opts.transport ??
    (config.smtp.url
      ? createSmtpTransport(config.smtp.url, {
          tokens: mailTokens,
          allowPlaintext,
          dkim: config.dkim,
          connections: config.smtp.connections,
        })
      : createDevTransport());
  const notifier = createNotifier({
    outbox,
    signer,
    ids,
    publicUrl: config.publicUrl,
    escalationHours: config.escalationHours,
  });

  const roster = loadRoster();
  const agents = createAgents({ models });
  const phrasingList = loadIssuePhrasings();
  // The issue model and the intent profile also learn the extra phrasings (seeds/issue-phrasings.jsonl).
  const taught = [...phrasingList, ...loadExtraPhrasings()];
  const issueModel = createIssueModel(issueExamples(taught, loadResolutions()));
  const kbSearch = createKbSearch({ sequelize, issueHint: (q) => issueModel.rank(q), read: fastSql?.read });
  const kb = createKb({ models, search: kbSearch });
  const phrasings = new Map<string, string[]>();
  for (const t of phrasingList) phrasings.set(t.issue, [...(phrasings.get(t.issue) ?? []), t.text]);
  const seeded = { agents: await agents.seed(roster), templates: await kb.seedTemplates(loadResolutions(), phrasings) };
  if (config.seedDemo) await seedDemo({ models, agents, kb, roster, examples: loadSeedTickets(), clock, log });
  log.info({ ...seeded, demo: config.seedDemo }, 'seed data ready');

  const ticketReads = createTicketReads({ models });
  const local = createLearningClassifier({
    rootDir,
    corrections: () => ticketReads.corrections(),
    log: room('triage'),
  });
  await local.retrain();
  const openai = config.openai.apiKey
    ? createOpenAIClient({
        apiKey: config.openai.apiKey,
        baseURL: config.openai.baseUrl,
        model: config.openai.model,
        timeoutMs: config.openai.timeoutMs,
      })
    : null;
  const primary = openai
    ? createOpenAIClassifier({
        client: openai,
        model: config.openai.model,
        agentNames: async () => (await agents.active()).map((a) => a.name),
      })
    : local;
  log.info(
    { classifier: primary.name, fallback: local.name },
    openai
      ? 'triage by OpenAI with the local classifier as fallback'
      : 'triage by the local classifier (OPENAI_API_KEY not set)',
  );
  const writer = openai ? createOpenAIWriter({ client: openai, model: config.openai.model }) : null;
  const intents = createIntentProfile(taught);
  // What the AI contributes to each ticket (answer, one suggested article, or nothing), decided on evidence.
  const planner = createAnswerPlanner({
    search: kbSearch,
    issues: issueModel,
    intents,
    writer,
    outcomes: kb.outcomes,
    log: room('answer'),
  });
  const aiMinConfidence = config.aiConfidenceThreshold;
  const triage = createTriage({ primary, fallback: local, aiMinConfidence, log: room('triage'), planner });
  // Major incidents: detection compares words weighed by the seed tickets and the issue model's guesses.
  const incidentModels = initIncidentModels(sequelize);
  const incidents = createIncidents({
    models: incidentModels,
    traits: loadIncidentIssues(),
    words: createWords(phrasingList),
    issues: (q, top) => issueModel.rank(q, top),
    config: config.incidents,
    clock,
  });
  // Ticket changes reach the analytics SSE streams through this bus.
  const analyticsEvents = createAnalyticsEvents();
  const tickets = createTicketService({
    sequelize,
    models,
    reads: ticketReads,
    agents,
    triage,
    replyReader: local,
    notifier,
    ids,
    mailSent: (messageId) => outbox.sentAt(messageId),
    kb,
    incidents,
    fast: fastSql && { sql: fastSql, enqueue: (q, mails) => outbox.enqueueSql(fastSql, q, mails) },
    escalationHours: config.escalationHours,
    clock,
    log: room('tickets'),
    onChange: (t, action) => analyticsEvents.publish(t, action),
  });

  const threading = createThreading({ reads: ticketReads, outbox, ids });
  const intake = createIntake({
    models,
    tickets,
    agents,
    outbox,
    ids,
    threading,
    mailFrom: config.smtp.from,
    maxBytes: config.smtp.maxBytes,
    reopenWindowDays: config.reopenWindowDays,
    trustedAuthservId: config.trustedAuthservId,
    clock,
    log: room('intake'),
    parser: opts.mailParser,
    claimMs: config.leaseSeconds * 1000,
  });
  const leases = createLeases({
    models,
    holder: `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    clock,
  });
  const sender = createSender({
    models,
    sequelize,
    from: config.smtp.from,
    clock,
    log: room('outbox'),
    holder: leases.holder,
    claimMs: config.leaseSeconds * 1000,
  });
  const imap = config.imap.url
    ? createImapSource(
        {
          url: config.imap.url,
          processedMailbox: config.imap.processedMailbox,
          failedMailbox: config.imap.failedMailbox,
          pollSeconds: config.imap.pollSeconds,
          leaseMs: config.leaseSeconds * 1000,
          allowPlaintext,
        },
        { intake, leases, tokens: mailTokens, log: room('imap'), databaseUp: () => databaseUp(sequelize) },
      )
    : null;
  if (!imap) log.info('IMAP_URL is not set: intake from IMAP is off (the webhook and the widget still work)');

  // Console sessions; other rooms (analytics, dev outbox) check roles with consoleAuth.authorize([...]).
  const consoleAuth = createConsoleAuth({ agents, consoleModels, clock, publicUrl: config.publicUrl });
  // Read-only analytics links: the analytics routes accept them, the console's admins list and revoke them.
  const analyticsLinks = createAnalyticsLinks({ sequelize, clock });
  const oidc = config.oidc ? createOidcClient(config.oidc, { publicUrl: config.publicUrl, log: room('oidc') }) : null;
  const consoleApp = consoleRoutes({
    oidc,
    loginMethods: config.consoleLogin,
    auth: consoleAuth,
    agents,
    consoleModels,
    sequelize,
    tickets,
    outbox,
    intake,
    ids,
    kb,
    clock,
    publicUrl: config.publicUrl,
    presence: createPresence(),
    analyticsLinks,
    // Drafted replies for the people, composed like the AI agent's answers (with OpenAI when configured).
    drafter: createReplyDrafter({ planner, writer, log: room('draft') }),
    log: room('console'),
  });
  const analyticsApp = analyticsRoutes({
    queries: createAnalyticsQueries({ sequelize, clock }),
    events: analyticsEvents,
    links: analyticsLinks,
    adminToken,
    clock,
    log: room('analytics'),
    publicUrl: config.publicUrl,
    session: consoleAuth.sessionKey(['manager', 'admin']),
  });
  const app = createApp({
    log,
    // Oversized mail is accepted up to twice MAIL_MAX_BYTES, so its sender can be told (attachments dropped).
    bodyLimits: { mail: config.smtp.maxBytes * 2 },
    mounts: [
      { path: '/console', app: consoleApp },
      // CORS and the rate limits on POST /api/tickets must run before the ticket routes.
      {
        path: '/api',
        app: widgetGuards({ config, log: room('widget'), adminToken, devCenters: roster.devCenters, limits }),
      },
      { path: '/', app: widgetRoutes({ config, log: room('widget'), devCenters: roster.devCenters }) },
      { path: '/api/my', app: requesterApiRoutes({ tickets, signer }) },
      {
        path: '/t',
        app: requesterPages({
          tickets,
          signer,
          log: room('requester'),
          // The text of the article a ticket's acknowledgment suggested (a published entry, or nothing).
          article: async (id) => {
            const e = await kb.published(id);
            return e ? { title: e.title, resolution: e.resolution } : null;
          },
        }),
      },
      {
        path: '/api/tickets',
        app: ticketApiRoutes({ tickets, agents, signer, adminToken, devCenters: roster.devCenters }),
      },
      {
        path: '/api/incidents',
        app: incidentApiRoutes({
          tickets,
          signer,
          adminToken,
          devCenters: roster.devCenters,
          requesterDomains: config.requesterDomains,
          meTooLimit: limits.limit({
            name: 'me-too',
            limit: config.deflectionRateLimit,
            windowMs: 3_600_000,
            key: (c) => limits.clientIp.key(c),
            message: 'Too many "Me too" clicks from this network address. Please try again later.',
          }),
        }),
      },
      {
        path: '/api/kb',
        app: kbRoutes({
          search: kbSearch,
          kb,
          devCenters: roster.devCenters,
          deflectionLimit: limits.limit({
            name: 'deflections',
            limit: config.deflectionRateLimit,
            windowMs: 3_600_000,
            key: (c) => limits.clientIp.key(c),
            message: 'Too many "this solved it" clicks from this network address. Please try again later.',
          }),
        }),
      },
      { path: '/kb', app: kbPages({ search: kbSearch, kb, knownIssues: () => incidents.known() }) },
      { path: '/api/inbound', app: inboundRoutes({ intake, adminToken, maxBytes: config.smtp.maxBytes }) },
      {
        path: '/dev/outbox',
        app: devOutboxRoutes({
          outbox,
          open: config.devOutboxOpen,
          adminToken,
          authorize: consoleAuth.authorize(['admin']),
        }),
      },
      { path: '/', app: metricsRoutes({ sequelize, models, imap, leases, adminToken, clock }) },
      { path: '/', app: analyticsApp },
    ],
    health: createHealth({
      sequelize,
      imap,
      transport,
      outbox,
      smtpAuth: mailTokens && config.smtp.url ? 'oauth2' : null,
    }),
    ready: async () => {
      const pending = await pendingMigrations(sequelize).catch(() => null);
      return { ok: pending?.length === 0, database: pending ? 'up' : 'down', pendingMigrations: pending };
    },
  });

  const jobs: Job[] = [
    { name: 'outbox', everyMs: 1000, run: async (signal) => void (await sender.deliverDue(transport, { signal })) },
    { name: 'recover-new', everyMs: 15_000, run: async () => void (await tickets.recoverUntriaged()) },
    { name: 'learn', everyMs: 10 * 60_000, run: async () => void (await local.retrain()) },
    { name: 'escalation', everyMs: 60_000, run: async () => void (await tickets.escalateOverdue()) },
    { name: 'settle-feedback', everyMs: 10_000, run: async () => void (await tickets.settleFeedback()) },
    { name: 'recover-inbound', everyMs: 15_000, run: async () => void (await intake.recover()) },
    // Adds the roll-up deltas the triggers appended into the roll-ups; readers add the rest, so figures stay exact.
    { name: 'analytics-fold', everyMs: 1000, run: async () => void (await foldAnalytics(sequelize)) },
  ];
  let stopJobs: (() => Promise<void>) | null = null;
  let server: ServerType | null = null;

  return {
    config,
    log,
    app,
    /** Direct database access, for tests and operations scripts (rooms never get this). */
    db: { sequelize, models, consoleModels, incidentModels, fast: fastSql },
    tickets,
    intake,
    outbox,
    /** One outbox run now, through the configured transport (tests and drills; the job does this every second). */
    deliverOutbox: (o?: DeliverOptions) => sender.deliverDue(transport, o),
    kb,
    signer,
    ids,
    leases,
    /** The IMAP reader when IMAP_URL is set (its timing, for the intake benchmark). */
    imap,
    /** Starts the background jobs (outbox sender, recovery, learning, …). */
    startJobs() {
      imap?.start();
      stopJobs ??= startJobs(jobs, { leases, leaseMs: config.leaseSeconds * 1000, log: room('jobs') });
    },
    /** Listens on config.port (0: a free port); resolves with the port. */
    listen(): Promise<number> {
      return new Promise((resolve) => {
        server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
          const where = {
            port: info.port,
            url: config.publicUrl,
            database: sequelize.getDialect(),
            mail: transport.name,
          };
          log.info(where, 'helpdesk listening');
          resolve(info.port);
        });
      });
    },
    /** Graceful stop: no new connections, running requests and job ticks finish, leases released, database closed. */
    async stop() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await imap?.stop();
      if (stopJobs) await stopJobs();
      transport.close();
      await fastSql?.close();
      await sequelize.close();
    },
  };
}

export type Helpdesk = Awaited<ReturnType<typeof buildHelpdesk>>;

async function main() {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(2);
    }
    throw err;
  }
  const hd = await buildHelpdesk(config);
  hd.startJobs();
  await hd.listen();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    hd.log.info({ signal }, 'shutting down');
    await hd.stop();
    hd.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

// Run only when executed (npm start), not when tests import buildHelpdesk.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`helpdesk failed to start: ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
