/** Composition root: reads config, builds every piece, starts the server and the jobs. The only module that wires. */
import { serve, type ServerType } from '@hono/node-server';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Op } from 'sequelize';
import { loadConfig, ConfigError, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { persistentSecret } from './secrets.js';
import { createDatabase } from './db/database.js';
import { migrateUp, pendingMigrations } from './db/migrate.js';
import { initModels } from './db/models.js';
import { initConsoleModels } from './console/models.js';
import { createConsoleAuth } from './console/auth.js';
import { consoleRoutes } from './console/routes.js';
import { createLeases } from './db/leases.js';
import { seedBase, loadIssuePhrasings } from './db/seed.js';
import { seedDemo } from './db/demo.js';
import { createLinkSigner } from './http/signed-links.js';
import { createApp } from './http/app.js';
import { createMailIds } from './mail/outbound/ids.js';
import { createOutbox } from './mail/outbound/outbox.js';
import { createNotifier } from './mail/outbound/notify.js';
import { createDevTransport, createSmtpTransport, type MailTransport } from './mail/outbound/transport.js';
import { createKbSearch } from './kb/search.js';
import { createIssueModel } from './kb/issue-model.js';
import { createKb } from './kb/entries.js';
import { createLearningClassifier } from './triage/learning.js';
import { createTriage } from './triage/service.js';
import { createAnswerer } from './triage/answer.js';
import { createOpenAIClassifier, createOpenAIClient } from './triage/openai.js';
import { createOpenAIWriter } from './triage/openai-writer.js';
import { createAudit } from './tickets/audit.js';
import { createTicketActions } from './tickets/actions.js';
import { createEscalation } from './tickets/escalation.js';
import { triageTicket } from './tickets/create.js';
import { ticketRoutes } from './tickets/routes.js';
import { kbRoutes } from './kb/routes.js';
import { kbPages } from './kb/pages.js';
import type { TicketDeps } from './tickets/deps.js';
import { startJobs, type Job } from './jobs.js';
import { createThreading } from './mail/inbound/threading.js';
import { createIntake } from './mail/inbound/intake.js';
import { createImapSource } from './mail/inbound/imap.js';
import { createTokenProvider } from './mail/oauth/tokens.js';
import { createOidcClient } from './console/oidc.js';
import { inboundRoutes } from './mail/inbound/routes.js';
import { devOutboxRoutes } from './mail/outbound/dev-outbox.routes.js';
import { metricsRoutes } from './http/metrics.js';
import { ensureWidgetBuilt, widgetGuards, widgetRoutes } from './widget/routes.js';
import { requesterRoutes } from './tickets/requester.routes.js';
import { requesterPages } from './tickets/requester.pages.js';
import { randomBytes } from 'node:crypto';
import { createAnalyticsEvents } from './analytics/events.js';
import { createAnalyticsQueries } from './analytics/queries.js';
import { analyticsRoutes } from './analytics/routes.js';
import { ensureAnalyticsBuilt } from './analytics/build.js';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BuildOptions {
  log?: Logger;
  clock?: () => Date;
  /** Replace an I/O edge (tests use a real SMTP server, so this is rarely needed). */
  transport?: MailTransport;
}

/** Builds the whole helpdesk from a Config: database migrated and seeded, app and jobs ready to start. */
export async function buildHelpdesk(config: Config, opts: BuildOptions = {}) {
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? (() => new Date());
  const appSecret = persistentSecret(config.appSecret, config.dataDir, 'app-secret');
  const adminToken = persistentSecret(config.adminApiToken, config.dataDir, 'admin-token');
  if (adminToken.generated)
    log.info({ file: path.join(config.dataDir, 'admin-token') }, 'generated an admin API token');

  const sequelize = createDatabase(config.databaseUrl, log.child({ room: 'db' }));
  await migrateUp(sequelize, log.child({ room: 'db' }));
  const models = initModels(sequelize);
  if (sequelize.getDialect() === 'mysql') {
    // A message larger than max_allowed_packet cannot be stored: it is quarantined, and the operator should know.
    const [[row]] = (await sequelize.query('SELECT @@max_allowed_packet AS p')) as [{ p: number }[], unknown];
    if (Number(row?.p) < config.smtp.maxBytes * 1.4)
      log.warn(
        { maxAllowedPacket: Number(row?.p), mailMaxBytes: config.smtp.maxBytes },
        'MySQL max_allowed_packet is smaller than MAIL_MAX_BYTES needs; larger emails will be quarantined',
      );
  }
  const consoleModels = initConsoleModels(sequelize);

  const signer = createLinkSigner(appSecret.value, clock);
  const ids = createMailIds(signer, config.smtp.from);
  const outbox = createOutbox({ models, from: config.smtp.from, clock, log: log.child({ room: 'outbox' }) });
  // MAIL_AUTH=oauth2: one token provider for IMAP and SMTP (the same mailbox, the same app registration).
  const mailTokens = config.mailAuth.oauth
    ? createTokenProvider(config.mailAuth.oauth, {
        log: log.child({ room: 'oauth' }),
        allowPlaintext: config.mailAuth.allowPlaintext,
      })
    : null;
  const transport =
    opts.transport ??
    (config.smtp.url
      ? createSmtpTransport(config.smtp.url, {
          tokens: mailTokens,
          allowPlaintext: config.mailAuth.allowPlaintext,
          dkim: config.dkim,
        })
      : createDevTransport());
  const notifier = createNotifier({
    models,
    outbox,
    signer,
    ids,
    publicUrl: config.publicUrl,
    escalationHours: config.escalationHours,
  });
  const issueModel = createIssueModel(loadIssuePhrasings());
  const kbSearch = createKbSearch({ sequelize, issueHint: (q) => issueModel.rank(q) });
  const kb = createKb({ models, search: kbSearch });
  const seeded = await seedBase(models, kb);
  if (config.seedDemo) await seedDemo(models, { clock, log });
  log.info({ ...seeded, demo: config.seedDemo }, 'seed data ready');

  const local = createLearningClassifier({ models, rootDir, log: log.child({ room: 'triage' }) });
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
        agentNames: async () =>
          (await models.Agent.findAll({ where: { active: true }, attributes: ['name'] })).map((a) => a.name),
      })
    : local;
  log.info(
    { classifier: primary.name, fallback: local.name },
    openai
      ? 'triage by OpenAI with the local classifier as fallback'
      : 'triage by the local classifier (OPENAI_API_KEY not set)',
  );
  const triage = createTriage({
    models,
    primary,
    fallback: local,
    aiMinConfidence: config.aiConfidenceThreshold,
    log: log.child({ room: 'triage' }),
  });
  const answerer = createAnswerer({
    search: kbSearch,
    writer: openai ? createOpenAIWriter({ client: openai, model: config.openai.model }) : null,
    log: log.child({ room: 'answer' }),
  });
  const audit = createAudit(models);
  // Ticket changes reach the analytics SSE streams through this bus.
  const analyticsEvents = createAnalyticsEvents();
  const ticketDeps: TicketDeps = {
    sequelize,
    models,
    triage,
    replyReader: local,
    answerer,
    notifier,
    ids,
    kb,
    audit,
    clock,
    log: log.child({ room: 'tickets' }),
  };
  ticketDeps.onChange = (ticket, action) => analyticsEvents.publish(ticket, action);
  const actions = createTicketActions(ticketDeps);
  const escalation = createEscalation({ ...ticketDeps, hours: config.escalationHours });
  const threading = createThreading({ models, ids });
  const intake = createIntake({
    models,
    ticketDeps,
    actions,
    threading,
    mailFrom: config.smtp.from,
    maxBytes: config.smtp.maxBytes,
    reopenWindowDays: config.reopenWindowDays,
    clock,
    log: log.child({ room: 'intake' }),
  });
  const leases = createLeases({
    models,
    holder: `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    clock,
  });
  const imap = config.imap.url
    ? createImapSource(
        {
          url: config.imap.url,
          processedMailbox: config.imap.processedMailbox,
          failedMailbox: config.imap.failedMailbox,
          pollSeconds: config.imap.pollSeconds,
          leaseMs: config.leaseSeconds * 1000,
          allowPlaintext: config.mailAuth.allowPlaintext,
        },
        {
          intake,
          leases,
          tokens: mailTokens,
          log: log.child({ room: 'imap' }),
          databaseUp: () =>
            sequelize.query('SELECT 1').then(
              () => true,
              () => false,
            ),
        },
      )
    : null;
  if (!imap) log.info('IMAP_URL is not set: intake from IMAP is off (the webhook and the widget still work)');

  await ensureWidgetBuilt(log.child({ room: 'widget' }));
  if (await ensureAnalyticsBuilt()) log.info('built dist/analytics.js');
  // Console sessions; other rooms (analytics) check roles with consoleAuth.authorize([...]) / requireSession([...]).
  const consoleAuth = createConsoleAuth({ models, consoleModels, clock, publicUrl: config.publicUrl });
  const oidc = config.oidc
    ? createOidcClient(config.oidc, { publicUrl: config.publicUrl, log: log.child({ room: 'oidc' }) })
    : null;
  const app = createApp({
    log,
    mounts: [
      {
        path: '/console',
        app: consoleRoutes({
          auth: consoleAuth,
          models,
          consoleModels,
          sequelize,
          actions,
          outbox,
          ids,
          kb,
          clock,
          publicUrl: config.publicUrl,
          log: log.child({ room: 'console' }),
          oidc,
          loginMethods: config.consoleLogin,
        }),
      },
      // CORS and the rate limits on POST /api/tickets must run before the ticket routes.
      { path: '/api', app: widgetGuards({ config, log: log.child({ room: 'widget' }), adminToken: adminToken.value }) },
      { path: '/', app: widgetRoutes({ config, log: log.child({ room: 'widget' }) }) },
      { path: '/api/my', app: requesterRoutes({ models, actions, signer }) },
      { path: '/t', app: requesterPages({ models, actions, signer, log: log.child({ room: 'requester' }) }) },
      {
        path: '/api/tickets',
        app: ticketRoutes({ ticketDeps, actions, models, signer, adminToken: adminToken.value }),
      },
      { path: '/api/kb', app: kbRoutes({ search: kbSearch, models }) },
      { path: '/kb', app: kbPages({ search: kbSearch, models }) },
      {
        path: '/api/inbound',
        app: inboundRoutes({ intake, adminToken: adminToken.value, maxBytes: config.smtp.maxBytes }),
      },
      {
        path: '/dev/outbox',
        app: devOutboxRoutes({
          models,
          open: config.devOutboxOpen,
          adminToken: adminToken.value,
          authorize: consoleAuth.authorize(['admin']),
        }),
      },
      { path: '/', app: metricsRoutes({ sequelize, models, imap, leases, adminToken: adminToken.value, clock }) },
      {
        path: '/',
        app: analyticsRoutes({
          queries: createAnalyticsQueries({ sequelize, clock }),
          events: analyticsEvents,
          signer,
          adminToken: adminToken.value,
          clock,
          log: log.child({ room: 'analytics' }),
          publicUrl: config.publicUrl,
          authorize: consoleAuth.authorize(['manager', 'admin']),
        }),
      },
    ],
    health: async () => {
      let db = true;
      try {
        await sequelize.query('SELECT 1');
      } catch {
        db = false;
      }
      return {
        ok: db,
        database: db ? 'up' : 'down',
        imap: imap ? imap.status() : { state: 'off' },
        smtp: {
          transport: transport.name,
          up: await transport.check(),
          ...(mailTokens && config.smtp.url ? { auth: 'oauth2' } : {}),
        },
        outboxDepth: db ? await outbox.depth() : null,
      };
    },
    ready: async () => {
      const pending = await pendingMigrations(sequelize).catch(() => null);
      return { ok: pending?.length === 0, database: pending ? 'up' : 'down', pendingMigrations: pending };
    },
  });

  const jobs: Job[] = [
    { name: 'outbox', everyMs: 1000, run: async () => void (await outbox.deliverDue(transport)) },
    {
      // Tickets stored but not triaged (the process died in between) are triaged again.
      name: 'recover-new',
      everyMs: 15_000,
      run: async () => {
        const stale = await models.Ticket.findAll({
          where: { status: 'new', createdAt: { [Op.lt]: new Date(clock().getTime() - 30_000) } },
          limit: 50,
        });
        for (const t of stale) await triageTicket(ticketDeps, t.id);
      },
    },
    { name: 'learn', everyMs: 10 * 60_000, run: async () => void (await local.retrain()) },
    { name: 'escalation', everyMs: 60_000, run: async () => void (await escalation.sweep()) },
    { name: 'recover-inbound', everyMs: 15_000, run: async () => void (await intake.recover()) },
  ];
  let stopJobs: (() => Promise<void>) | null = null;
  let server: ServerType | null = null;

  return {
    app,
    config,
    log,
    sequelize,
    models,
    consoleModels,
    consoleAuth,
    intake,
    imap,
    escalation,
    signer,
    ids,
    outbox,
    transport,
    notifier,
    kb,
    kbSearch,
    triage,
    local,
    answerer,
    ticketDeps,
    actions,
    leases,
    clock,
    /** Starts the background jobs (outbox sender, recovery, learning, …). */
    startJobs() {
      imap?.start();
      stopJobs ??= startJobs(jobs, { leases, leaseMs: config.leaseSeconds * 1000, log: log.child({ room: 'jobs' }) });
    },
    /** Listens on config.port (0: a free port); resolves with the port. */
    listen(): Promise<number> {
      return new Promise((resolve) => {
        server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
          log.info(
            { port: info.port, url: config.publicUrl, database: sequelize.getDialect(), mail: transport.name },
            'helpdesk listening',
          );
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
