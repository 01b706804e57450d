/**
 * The console's major incidents (mounted under /incidents): the queue, the incident view and its actions. Every
 * action is a form POST answered with a redirect and a flash key from a fixed table (like ticket.routes.ts), and
 * goes through the ticket service's incident operations, the same ones the admin API uses.
 */
import { Hono, type Context } from 'hono';
import type { Agents } from '../agents/agents.js';
import { AppError, ERRORS, type ErrorCode } from '../errors.js';
import { html } from '../http/html.js';
import type { Logger } from '../log.js';
import type { TicketService } from '../tickets/service.js';
import { identityOf, type ConsoleAuth, type ConsoleIdentity } from './auth.js';
import { page } from './html.js';
import { INCIDENT_TABS, incidentPage, incidentQueuePage, type IncidentTab } from './incidents.pages.js';

const DONE: Record<string, string> = {
  update: 'Update sent to every affected person.',
  resolve: 'Resolved: every linked ticket is resolved and its requester emailed.',
  link: 'Ticket linked; its requester was told about the incident.',
  unlink: 'Ticket unlinked: it is back in the pool.',
  merge: 'Merged.',
  rename: 'Renamed.',
};

type Handler = (ref: string, form: Record<string, string>, me: ConsoleIdentity, actor: string) => Promise<unknown>;

export function incidentRoutes(d: { auth: ConsoleAuth; tickets: TicketService; agents: Agents; log: Logger }) {
  const app = new Hono();
  const inc = d.tickets.incidents;
  const agentMap = async () => new Map((await d.agents.all()).map((a) => [a.id, a]));
  const notFound = (c: Context, me: ConsoleIdentity) =>
    page(c, html`<h1>No such incident</h1><p><a href="/console/incidents">Back to the incidents</a></p>`, {
      title: 'Not found',
      status: 404,
      agent: me.agent,
      csrf: me.csrf,
    });

  app.get('/', async (c) => {
    const me = await identityOf(d.auth, c);
    const tab = (INCIDENT_TABS as readonly string[]).includes(c.req.query('status') ?? '')
      ? (c.req.query('status') as IncidentTab)
      : 'open';
    const rows = await inc.list(tab === 'all' ? {} : { status: tab === 'open' ? ['open'] : ['resolved', 'merged'] });
    return incidentQueuePage(c, me, tab, rows, await agentMap());
  });

  app.get('/:ref', async (c) => {
    const me = await identityOf(d.auth, c);
    const incident = await inc.find(c.req.param('ref'));
    if (!incident) return notFound(c, me);
    const [children, updates, agents, open] = await Promise.all([
      inc.children(incident.id, { all: true }),
      inc.updates(incident.id),
      agentMap(),
      inc.list({ status: ['open'] }),
    ]);
    const e = c.req.query('e') as ErrorCode | undefined;
    const m = c.req.query('m');
    const flash =
      e && e in ERRORS
        ? { kind: 'error' as const, text: ERRORS[e].message }
        : m && DONE[m]
          ? { kind: 'ok' as const, text: DONE[m] }
          : null;
    const others = open.filter((o) => o.id !== incident.id);
    return incidentPage(c, me, { incident, children, updates, agents, others }, flash);
  });

  const text = (f: Record<string, string>, k: string) => (f[k] ?? '').replace(/\r\n/g, '\n').trim();
  const handlers: Record<string, Handler> = {
    update: (ref, f, me, actor) =>
      inc.update(ref, text(f, 'text'), actor, { agentId: me.agent.id, name: me.agent.name }),
    resolve: (ref, f, _me, actor) => inc.resolve(ref, text(f, 'resolution'), actor),
    link: (ref, f, _me, actor) => inc.link(ref, text(f, 'ticket'), actor),
    unlink: (ref, f, _me, actor) => inc.unlink(ref, text(f, 'ticket'), actor),
    merge: (ref, f, _me, actor) => inc.merge(ref, text(f, 'into'), actor),
    rename: (ref, f, _me, actor) => inc.rename(ref, text(f, 'title'), actor),
  };

  app.post('/:ref/:action', async (c) => {
    const me = await identityOf(d.auth, c);
    const action = c.req.param('action');
    const handler = handlers[action];
    const incident = await inc.find(c.req.param('ref'));
    if (!handler || !incident) return notFound(c, me);
    const form = Object.fromEntries(
      Object.entries(await c.req.parseBody()).map(([k, v]) => [k, typeof v === 'string' ? v : '']),
    );
    // After a merge the incident to show is the one it went into.
    const into = action === 'merge' ? await inc.find(text(form, 'into')) : null;
    const back = `/console/incidents/${into?.ref ?? incident.ref}`;
    try {
      await handler(incident.ref, form, me, `agent:${me.agent.id}`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      d.log.info({ incident: incident.ref, action, code: err.code }, 'console incident action refused');
      return c.redirect(`/console/incidents/${incident.ref}?e=${err.code}`, 303);
    }
    return c.redirect(`${back}?m=${action}`, 303);
  });
  return app;
}
