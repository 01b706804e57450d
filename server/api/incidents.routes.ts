/**
 * Major-incident API (mount at '/api/incidents'). The admin bearer token for everything except the widget's two
 * public routes: the known issues (title, centre, start time; never a child's text or anyone's name) and "Me too".
 * Every change goes through the ticket service's incident operations, the same ones the console uses.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { knownCentre } from '../domain/centres.js';
import { domainAllowed } from '../domain/address.js';
import { AppError } from '../errors.js';
import { requireAdmin } from '../http/auth.js';
import { readJson } from '../http/errors.js';
import type { LinkSigner } from '../http/signed-links.js';
import type { TicketService } from '../tickets/service.js';
import { requesterToken } from './requester-token.js';

export interface IncidentApiDeps {
  tickets: TicketService;
  signer: LinkSigner;
  adminToken?: string;
  devCenters: readonly string[];
  /** Domains whose addresses may say "Me too" (ALLOWED_REQUESTER_DOMAINS), as for widget tickets. */
  requesterDomains: string[];
  /** The limit on "Me too" per client (unauthenticated, like deflections). */
  meTooLimit?: MiddlewareHandler;
}

const STATUSES = ['open', 'resolved', 'merged'] as const;
type IncidentStatus = (typeof STATUSES)[number];

export function incidentApiRoutes(d: IncidentApiDeps) {
  const app = new Hono();
  const inc = d.tickets.incidents;
  const pass: MiddlewareHandler = (_c, next) => next();
  const centre = (v: string | undefined | null) => {
    const c = knownCentre(v, d.devCenters);
    if (v?.trim() && !c)
      throw new AppError('validation_failed', undefined, { fields: { devCenter: 'unknown development centre' } });
    return c;
  };

  // ---- public: the widget and the KB page ----
  app.get('/known', async (c) => {
    const devCenter = centre(c.req.query('devCenter'));
    const q = (c.req.query('q') ?? '').slice(0, 2000);
    const incidents = await inc.known({ devCenter, q });
    c.header('Cache-Control', 'no-store');
    return c.json({ incidents: incidents.map((i) => ({ ...i, since: i.since.toISOString() })) });
  });

  app.post('/known/:ref/affected', d.meTooLimit ?? pass, async (c) => {
    const b = await readJson(
      c,
      z.object({
        name: z.string().trim().min(1, 'Please enter your name.').max(200),
        email: z.string().trim().max(320).email('Please enter a valid email address.'),
        devCenter: z.string().trim().max(100).optional().nullable(),
        requesterToken: z.string().max(4000).optional(),
      }),
    );
    if (!domainAllowed(b.email, d.requesterDomains))
      throw new AppError('email_domain_not_allowed', undefined, { fields: { email: 'Please use your work email.' } });
    const r = await inc.meToo(c.req.param('ref'), { name: b.name, email: b.email, devCenter: centre(b.devCenter) });
    const id = r.ticket?.id ?? null;
    return c.json(
      {
        ticket: r.ticketRef,
        incident: r.incident.ref,
        already: r.already,
        ...(id ? { requesterToken: requesterToken(d.signer, id, b.email, b.requesterToken) } : {}),
      },
      r.already ? 200 : 201,
    );
  });

  // ---- admin ----
  const admin = requireAdmin(d.adminToken);
  const summary = (i: Awaited<ReturnType<typeof inc.list>>[number]) => ({
    ref: i.ref,
    title: i.title,
    category: i.category,
    devCenter: i.devCenter,
    status: i.status,
    severity: i.severity,
    children: i.children,
    createdAt: i.firstTicketAt,
    detectedAt: i.detectedAt,
    resolvedAt: i.resolvedAt,
  });
  const detail = async (ref: string) => {
    const i = await inc.find(ref);
    if (!i) throw new AppError('not_found', `No incident ${ref}.`);
    const [children, updates] = await Promise.all([inc.children(i.id), inc.updates(i.id)]);
    return {
      ...summary({ ...i, children: children.length }),
      scope: i.scope,
      issue: i.issue,
      resolution: i.resolution,
      mergedInto: i.mergedIntoId ? `MI-${i.mergedIntoId}` : null,
      children: children.map((k) => ({
        ref: k.ticketRef,
        requester: { name: k.requesterName, email: k.requesterEmail, devCenter: k.devCenter },
        channel: k.channel,
        how: k.how,
        createdAt: k.ticketCreatedAt,
        linkedAt: k.createdAt,
      })),
      updates: updates.map((u) => ({
        kind: u.kind,
        text: u.text,
        actor: u.actor,
        recipients: u.recipients,
        at: u.createdAt,
      })),
    };
  };

  app.get('/', admin, async (c) => {
    const status = c.req.query('status')?.split(',').filter(Boolean);
    if (status?.some((s) => !STATUSES.includes(s as IncidentStatus)))
      throw new AppError('validation_failed', undefined, { fields: { status: STATUSES.join(', ') } });
    return c.json({ incidents: (await inc.list({ status: status as IncidentStatus[] | undefined })).map(summary) });
  });
  app.get('/:ref', admin, async (c) => c.json(await detail(c.req.param('ref'))));

  const text = (max = 50_000) => z.string().trim().min(1, 'required').max(max);
  app.post('/:ref/update', admin, async (c) => {
    const b = await readJson(c, z.object({ text: text() }));
    await inc.update(c.req.param('ref'), b.text, 'admin-api', { agentId: null, name: 'The IT team' });
    return c.json(await detail(c.req.param('ref')), 201);
  });
  app.post('/:ref/resolve', admin, async (c) => {
    const b = await readJson(c, z.object({ resolution: text() }));
    await inc.resolve(c.req.param('ref'), b.resolution, 'admin-api');
    return c.json(await detail(c.req.param('ref')));
  });
  app.post('/:ref/link', admin, async (c) => {
    const b = await readJson(c, z.object({ ticket: text(40) }));
    await inc.link(c.req.param('ref'), b.ticket, 'admin-api');
    return c.json(await detail(c.req.param('ref')));
  });
  app.post('/:ref/unlink', admin, async (c) => {
    const b = await readJson(c, z.object({ ticket: text(40) }));
    await inc.unlink(c.req.param('ref'), b.ticket, 'admin-api');
    return c.json(await detail(c.req.param('ref')));
  });
  return app;
}
