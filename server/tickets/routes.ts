/** Ticket HTTP API: the public create endpoint (widget, integrations) and the admin API behind the bearer token. */
import { Hono } from 'hono';
import { z } from 'zod';
import { Op, type WhereOptions } from 'sequelize';
import { readJson } from '../http/errors.js';
import { hasAdminToken, requireAdmin } from '../http/auth.js';
import { AppError } from '../errors.js';
import type { Models, Ticket } from '../db/models.js';
import type { LinkSigner } from '../http/signed-links.js';
import { createTicket } from './create.js';
import type { TicketDeps } from './deps.js';
import type { TicketActions } from './actions.js';
import { ticketDetail, ticketSummary } from './view.js';
import { STATUSES } from '../domain/vocabulary.js';

export const newTicketSchema = z.object({
  name: z.string().trim().min(1, 'Please enter your name.').max(200, 'Too long.'),
  email: z.string().trim().max(320).email('Please enter a valid email address.'),
  devCenter: z.string().trim().max(100).optional().nullable(),
  subject: z.string().trim().max(300).optional().nullable(),
  issue: z.string().trim().min(1, 'Please describe the issue.').max(20_000, 'Please keep it under 20,000 characters.'),
  /** Honeypot: a field people never see; bots fill it. */
  website: z.string().optional(),
  /** The requester token this browser already holds; the new one then covers the earlier tickets too. */
  requesterToken: z.string().max(4000).optional(),
});

export interface TicketRoutesDeps {
  ticketDeps: TicketDeps;
  actions: TicketActions;
  models: Models;
  signer: LinkSigner;
  adminToken?: string;
}

/**
 * A requester token sees only the tickets created with it in one browser, never every ticket of an address:
 * anyone can type someone else's email into the widget, and that must not open their history.
 */
function requesterToken(d: TicketRoutesDeps, t: Ticket, email: string, held?: string) {
  let ids: number[] = [];
  if (held) {
    try {
      const prior = d.signer.verify(held, 'requester');
      if (prior.e === email.toLowerCase()) ids = prior.ids ?? [];
    } catch {
      // an expired or foreign token just starts a new list
    }
  }
  return d.signer.sign(
    { t: 0, a: 'requester', e: email.toLowerCase(), ids: [...ids.filter((i) => i !== t.id), t.id].slice(-50) },
    365,
  );
}

/** The AI answer (if any) and a requester token for the widget's follow-up calls. */
async function createResponse(d: TicketRoutesDeps, t: Ticket, email: string, held?: string) {
  const ai =
    t.route === 'ai'
      ? await d.models.Message.findOne({ where: { ticketId: t.id, authorKind: 'ai' }, order: [['id', 'DESC']] })
      : null;
  const assignee = t.assigneeId ? await d.models.Agent.findByPk(t.assigneeId) : null;
  return {
    id: t.id,
    ref: t.ref,
    status: t.status,
    route: t.route,
    category: t.category,
    severity: t.severity,
    urgency: t.urgency,
    assignee: assignee ? { name: assignee.name, kind: assignee.kind } : null,
    ...(ai ? { answer: ai.text } : {}),
    requesterToken: requesterToken(d, t, email, held),
  };
}

export function ticketRoutes(d: TicketRoutesDeps) {
  const app = new Hono();

  app.post('/', async (c) => {
    const body = await readJson(c, newTicketSchema);
    const isAdmin = hasAdminToken(c.req.header('authorization'), d.adminToken);
    if (body.website) {
      // Pretend success to the bot, store nothing.
      return c.json(
        {
          id: 0,
          ref: 'IT-0',
          status: 'new',
          route: 'pool',
          category: null,
          severity: null,
          urgency: null,
          assignee: null,
        },
        201,
      );
    }
    const t = await createTicket(d.ticketDeps, {
      name: body.name,
      email: body.email,
      devCenter: body.devCenter,
      subject: body.subject,
      issue: body.issue,
      channel: isAdmin ? 'api' : 'widget',
    });
    return c.json(await createResponse(d, t, body.email, body.requesterToken), 201);
  });

  // Everything but creation needs the admin token (agents use the console).
  const admin = requireAdmin(d.adminToken);

  app.get('/', admin, async (c) => {
    const q = c.req.query();
    const where: WhereOptions = {};
    if (q.status) {
      const s = q.status.split(',');
      if (s.some((x) => !STATUSES.includes(x as never)))
        throw new AppError('validation_failed', undefined, { fields: { status: `one of ${STATUSES.join(', ')}` } });
      Object.assign(where, { status: { [Op.in]: s } });
    }
    if (q.route) Object.assign(where, { route: q.route });
    if (q.category) Object.assign(where, { category: q.category });
    if (q.devCenter) Object.assign(where, { devCenter: q.devCenter });
    const limit = Math.min(Math.max(Number(q.limit) || 50, 1), 500);
    const offset = Math.max(Number(q.offset) || 0, 0);
    const rows = await d.models.Ticket.findAll({
      where,
      order: [['id', 'DESC']],
      limit,
      offset,
      include: [{ model: d.models.Agent, as: 'assignee' }],
    });
    return c.json({ tickets: rows.map(ticketSummary), limit, offset });
  });

  app.get('/:ref', admin, async (c) => {
    const t = await d.models.Ticket.findOne({ where: { ref: c.req.param('ref').toUpperCase() } });
    if (!t) throw new AppError('ticket_not_found', `No ticket ${c.req.param('ref')}.`);
    return c.json(await ticketDetail(d.models, t, { internal: true }));
  });

  const respond = (t: Ticket) => ticketDetail(d.models, t, { internal: true });

  app.post('/:ref/assign', admin, async (c) => {
    const b = await readJson(c, z.object({ agent: z.union([z.string().min(1), z.number().int()]) }));
    return c.json(await respond(await d.actions.assign(c.req.param('ref'), b.agent, 'admin-api')));
  });
  app.post('/:ref/comment', admin, async (c) => {
    const b = await readJson(
      c,
      z.object({
        text: z.string().trim().min(1).max(50_000),
        internal: z.boolean().optional(),
        agent: z.union([z.string(), z.number()]).optional(),
      }),
    );
    const agent =
      b.agent !== undefined
        ? await d.models.Agent.findOne({ where: typeof b.agent === 'number' ? { id: b.agent } : { email: b.agent } })
        : null;
    const t = await d.actions.comment(
      c.req.param('ref'),
      {
        authorKind: agent ? 'agent' : 'system',
        agentId: agent?.id ?? null,
        text: b.text,
        internal: b.internal || !agent,
      },
      'admin-api',
    );
    return c.json(await respond(t), 201);
  });
  app.post('/:ref/resolve', admin, async (c) => {
    const b = await readJson(c, z.object({ resolution: z.string().trim().min(1).max(50_000) }));
    return c.json(await respond(await d.actions.resolve(c.req.param('ref'), b.resolution, 'admin-api')));
  });
  app.post('/:ref/close', admin, async (c) =>
    c.json(await respond(await d.actions.close(c.req.param('ref'), 'admin-api'))),
  );
  app.post('/:ref/reopen', admin, async (c) => {
    const b = await readJson(c, z.object({ reason: z.string().max(2000).optional() }));
    return c.json(await respond(await d.actions.reopen(c.req.param('ref'), 'admin-api', b.reason)));
  });
  app.post('/:ref/triage', admin, async (c) => {
    const b = await readJson(
      c,
      z.object({ category: z.string().optional(), severity: z.string().optional(), urgency: z.string().optional() }),
    );
    return c.json(await respond(await d.actions.correct(c.req.param('ref'), b, 'admin-api')));
  });

  return app;
}
