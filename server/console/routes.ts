/**
 * consoleRoutes(deps): the agent console, mounted at '/console'. Server-rendered pages; a small script from
 * /console/assets enhances them. Layout of the routes:
 *
 *   /console/login…              sign-in by magic link (login.ts)          — public
 *   /console/oidc/…              sign-in with OpenID Connect (oidc.ts)     — public, when OIDC_ISSUER is set
 *   /console, /console/queues/:q  queues pool | mine | escalated | all      — any console role
 *   /console/tickets/:ref…        ticket view and actions (ticket.routes.ts)
 *   /console/incidents…           major incidents: queue, view, actions (incidents.routes.ts)
 *   /console/attachments/:id      attachment download
 *   /console/kb…                  knowledge-base curation (kb.pages.ts)
 *   /console/admin/…              agents, outbox, failed emails, analytics links — admin only
 *   /console/logout               POST, ends the session (and the provider's, after an OIDC sign-in)
 */
import { Hono } from 'hono';
import { AppError } from '../errors.js';
import type { Sequelize } from 'sequelize';
import type { Agents } from '../agents/agents.js';
import type { Kb } from '../kb/entries.js';
import type { Logger } from '../log.js';
import type { Intake } from '../mail/inbound/intake.js';
import type { MailIds } from '../mail/outbound/ids.js';
import type { Outbox } from '../mail/outbound/outbox.js';
import type { TicketService } from '../tickets/service.js';
import type { AnalyticsLinks } from '../analytics/links.js';
import { adminAgentRoutes } from './admin.agents.js';
import { adminAnalyticsRoutes } from './admin.analytics.js';
import { adminMailRoutes } from './admin.mail.js';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import { identityOf, type ConsoleAuth } from './auth.js';
import { html } from '../http/html.js';
import { page } from './html.js';
import { kbPages } from './kb.pages.js';
import { loginRoutes, type LoginMethods } from './login.js';
import { continueToProvider, endSessionUrl, oidcRoutes, type OidcClient } from './oidc.js';
import type { ConsoleModels } from './models.js';
import type { Presence } from './presence.js';
import { queuePage } from './queue.pages.js';
import { QUEUES, createQueues, type QueueName } from './queues.js';
import { ticketRoutes } from './ticket.routes.js';
import type { ReplyDrafter } from '../triage/draft.js';
import { incidentRoutes } from './incidents.routes.js';
import { attachmentResponse } from './attachments.js';
import { parseId } from '../http/ids.js';

export interface ConsoleDeps {
  auth: ConsoleAuth;
  agents: Agents;
  consoleModels: ConsoleModels;
  sequelize: Sequelize;
  tickets: TicketService;
  outbox: Outbox;
  intake: Intake;
  ids: MailIds;
  kb: Kb;
  clock: () => Date;
  publicUrl: string;
  log: Logger;
  presence: Presence;
  /** OpenID Connect sign-in (OIDC_ISSUER), or null. */
  oidc?: OidcClient | null;
  /** CONSOLE_LOGIN: magic links, OIDC, or both. */
  loginMethods?: LoginMethods;
  /** Read-only analytics links, which admins list and revoke here. */
  analyticsLinks: AnalyticsLinks;
  /** Drafted replies for tickets a person handles (triage/draft.ts). */
  drafter?: ReplyDrafter | null;
}

/** The console sub-application (mount at '/console'). */
export function consoleRoutes(d: ConsoleDeps) {
  const app = new Hono();
  const queues = createQueues(d.tickets.reads);
  const { presence } = d;
  const anyone = d.auth.requireSession();
  const admins = d.auth.requireSession(['admin']);

  // The app-wide handler answers JSON; console pages answer with a page.
  app.onError(async (err, c) => {
    const who = await d.auth.identify(c).catch(() => null);
    if (err instanceof AppError && err.status < 500) {
      if (err.code === 'payload_too_large') c.header('Connection', 'close');
      const status = err.status as 400;
      return page(c, html`<h1>${err.message}</h1><p><a href="/console">Back to the queues</a></p>`, {
        title: err.message,
        status,
        agent: who?.agent,
        csrf: who?.csrf,
      });
    }
    // The route pattern, never the path: sign-in paths carry a token.
    d.log.error({ err, route: c.req.routePath }, 'console page failed');
    return page(
      c,
      html`<h1>Something went wrong</h1><p>The error was logged. <a href="/console">Back to the queues</a></p>`,
      { title: 'Error', status: 500, agent: who?.agent, csrf: who?.csrf },
    );
  });

  app.get('/assets/console.js', (c) =>
    c.body(CONSOLE_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }),
  );
  app.get('/assets/console.css', (c) =>
    c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }),
  );

  const methods = d.oidc ? (d.loginMethods ?? 'both') : 'link';
  app.route('/login', loginRoutes({ ...d, methods }));
  if (d.oidc) app.route('/oidc', oidcRoutes({ oidc: d.oidc, auth: d.auth, agents: d.agents, log: d.log }));
  app.post('/logout', anyone, async (c) => {
    await d.auth.endSession(c);
    const provider = d.oidc ? await endSessionUrl(d.oidc, c) : null;
    return provider ? continueToProvider(c, provider) : c.redirect('/console/login?m=out', 303);
  });

  app.get('/', anyone, (c) => c.redirect('/console/queues/pool', 303));
  app.get('/queues/:queue', anyone, async (c) => {
    const me = await identityOf(d.auth, c);
    const q = c.req.param('queue') as QueueName;
    if (!QUEUES.includes(q)) return c.redirect('/console/queues/pool', 303);
    return queuePage(c, me, queues, q);
  });

  app.use('/tickets/*', anyone);
  app.route(
    '/tickets',
    ticketRoutes({ auth: d.auth, tickets: d.tickets, agents: d.agents, presence, log: d.log, drafter: d.drafter }),
  );

  app.use('/incidents/*', anyone);
  app.route('/incidents', incidentRoutes({ auth: d.auth, tickets: d.tickets, agents: d.agents, log: d.log }));

  app.get('/attachments/:id', anyone, async (c) => {
    const id = parseId(c.req.param('id'));
    const a = id === null ? null : await d.tickets.reads.attachment(id);
    if (!a) return c.text('No such attachment.', 404);
    return attachmentResponse(c, a);
  });

  // '/x/*' also matches '/x' itself in Hono, so one use() guards the whole subtree.
  app.use('/kb/*', anyone);
  app.route('/kb', kbPages({ auth: d.auth, kb: d.kb, log: d.log }));

  app.use('/admin/*', admins);
  app.get('/admin', (c) => c.redirect('/console/admin/agents', 303));
  app.route('/admin/agents', adminAgentRoutes({ auth: d.auth, agents: d.agents, log: d.log }));
  app.route(
    '/admin/analytics-links',
    adminAnalyticsRoutes({ auth: d.auth, links: d.analyticsLinks, publicUrl: d.publicUrl, log: d.log }),
  );
  app.route('/admin', adminMailRoutes({ auth: d.auth, outbox: d.outbox, intake: d.intake, log: d.log }));

  return app;
}
