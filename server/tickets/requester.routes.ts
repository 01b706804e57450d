/**
 * The requester's API for the widget: their own tickets, authorised by the requester token that
 * POST /api/tickets returns (`Authorization: Bearer <token>`, claims.a = 'requester', claims.e = email).
 * A token only ever reaches tickets of its own email; anything else is a 404, so a token cannot even
 * learn whether another person's ticket exists.
 */
import { Op } from 'sequelize';
import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { readJson } from '../http/errors.js';
import type { LinkSigner } from '../http/signed-links.js';
import type { Models, Ticket } from '../db/models.js';
import type { TicketActions } from './actions.js';
import { ticketDetail } from './view.js';

export interface RequesterRoutesDeps {
  models: Models;
  actions: TicketActions;
  signer: LinkSigner;
}

/** Loads a ticket by ref or id only if it belongs to `email` (and, for widget tokens, is one of `ids`). */
export async function ownedTicket(
  models: Models,
  refOrId: string | number,
  email: string,
  ids?: number[],
): Promise<Ticket> {
  const where = typeof refOrId === 'number' ? { id: refOrId } : { ref: String(refOrId).toUpperCase() };
  const t = await models.Ticket.findOne({ where, include: [{ model: models.Requester, as: 'requester' }] });
  if (!t || t.requester?.email.toLowerCase() !== email.toLowerCase() || (ids && !ids.includes(t.id)))
    throw new AppError('ticket_not_found');
  return t;
}

/** What the requester sees of a ticket: the thread without internal notes and without the triage details. */
export async function requesterView(models: Models, t: Ticket) {
  const d = await ticketDetail(models, t, { internal: false });
  const { classifier: _c, confidence: _f, sentiment: _s, intent: _i, ...rest } = d;
  return rest;
}

/** Closing twice, or closing what was already closed, is not an error for the person who asked. */
export async function closeIdempotent(
  actions: TicketActions,
  t: Ticket,
  actor: string,
): Promise<{ ticket: Ticket; already: boolean }> {
  if (t.status === 'closed') return { ticket: t, already: true };
  try {
    return { ticket: await actions.close(t.id, actor), already: false };
  } catch (err) {
    // A concurrent click may have closed it between our read and the locked update.
    if (err instanceof AppError && err.code === 'invalid_transition') return { ticket: t, already: true };
    throw err;
  }
}

/** The /api/my/* routes (mount at '/api/my'). */
export function requesterRoutes(d: RequesterRoutesDeps) {
  const app = new Hono();

  /** The bearer token's claims (verified on every call: an HMAC is cheap): an email and the tickets it may see. */
  const claims = (c: Context) => {
    const h = c.req.header('authorization') ?? '';
    if (!h.startsWith('Bearer ')) throw new AppError('unauthorized', 'A requester token is required.');
    const cl = d.signer.verify(h.slice(7).trim(), 'requester');
    if (!cl.e) throw new AppError('link_invalid');
    return { email: cl.e.toLowerCase(), ids: cl.ids ?? [] };
  };
  const email = (c: Context) => claims(c).email;
  app.use('*', async (c, next) => {
    email(c); // reject before any handler or body parsing
    await next();
  });
  const load = (c: Context) => ownedTicket(d.models, c.req.param('ref') ?? '', email(c), claims(c).ids);
  const actor = (c: Context) => `requester:${email(c)}`;
  const fresh = async (id: number) => requesterView(d.models, (await d.models.Ticket.findByPk(id))!);

  app.get('/tickets', async (c) => {
    const r = await d.models.Requester.findOne({ where: { email: email(c) } });
    const rows = r
      ? await d.models.Ticket.findAll({
          where: { requesterId: r.id, id: { [Op.in]: claims(c).ids } },
          order: [['id', 'DESC']],
          limit: 50,
          include: [{ model: d.models.Agent, as: 'assignee' }],
        })
      : [];
    return c.json({
      tickets: rows.map((t) => ({
        ref: t.ref,
        subject: t.subject,
        status: t.status,
        route: t.route,
        category: t.category,
        assignee: t.assignee ? { name: t.assignee.name, kind: t.assignee.kind } : null,
        createdAt: t.createdAt,
      })),
    });
  });

  // The widget polls this every few seconds for replies; the ETag turns an unchanged thread into a 304.
  // Polling rather than SSE because it works unchanged with several server processes behind a load balancer.
  app.get('/tickets/:ref', etag(), async (c) => {
    c.header('Cache-Control', 'private, no-cache');
    return c.json(await requesterView(d.models, await load(c)));
  });

  app.post('/tickets/:ref/comment', async (c) => {
    const b = await readJson(c, z.object({ text: z.string().trim().min(1, 'Please write a comment.').max(20_000) }));
    const t = await load(c);
    // readIntent: "thanks, that fixed it" resolves; "still broken" hands an AI ticket to a person.
    const after = await d.actions.comment(t.id, { authorKind: 'requester', text: b.text, readIntent: true }, actor(c));
    return c.json(await fresh(after.id), 201);
  });

  app.post('/tickets/:ref/close', async (c) => {
    const { ticket, already } = await closeIdempotent(d.actions, await load(c), actor(c));
    return c.json({ ...(await fresh(ticket.id)), alreadyClosed: already });
  });

  app.post('/tickets/:ref/feedback', async (c) => {
    const b = await readJson(
      c,
      z.object({ score: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() }),
    );
    const t = await load(c);
    await d.actions.feedback(t.id, b.score, actor(c), b.comment || null);
    return c.json(await fresh(t.id));
  });

  return app;
}
