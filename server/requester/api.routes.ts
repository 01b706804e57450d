/**
 * The requester's API for the widget: their own tickets, authorised by the requester token that
 * POST /api/tickets returns (`Authorization: Bearer <token>`, claims.a = 'requester', claims.e = email).
 * A token only ever reaches tickets of its own email created in its browser; anything else is a 404, so a token
 * cannot even learn whether another person's ticket exists.
 */
import { type Context, Hono } from 'hono';
import { etag } from 'hono/etag';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { readJson } from '../http/errors.js';
import type { LinkSigner } from '../http/signed-links.js';
import type { TicketService } from '../tickets/service.js';
import { requesterView } from '../tickets/view.js';

export interface RequesterApiDeps {
  tickets: TicketService;
  signer: LinkSigner;
}

/** The /api/my/* routes (mount at '/api/my'). */
export function requesterApiRoutes(d: RequesterApiDeps) {
  const app = new Hono();
  const { reads } = d.tickets;

  /** The bearer token's claims (verified on every call: an HMAC is cheap): an email and the tickets it may see. */
  const claims = (c: Context) => {
    const h = c.req.header('authorization') ?? '';
    if (!h.startsWith('Bearer ')) throw new AppError('unauthorized', 'A requester token is required.');
    const cl = d.signer.verify(h.slice(7).trim(), 'requester');
    if (!cl.e) throw new AppError('link_invalid');
    return { email: cl.e.toLowerCase(), ids: cl.ids ?? [] };
  };
  app.use('*', async (c, next) => {
    claims(c); // reject before any handler or body parsing
    await next();
  });
  const load = async (c: Context) => {
    const { email, ids } = claims(c);
    const t = await reads.owned(c.req.param('ref') ?? '', email, ids);
    if (!t) throw new AppError('ticket_not_found');
    return t;
  };
  const actor = (c: Context) => `requester:${claims(c).email}`;
  const fresh = async (id: number) => requesterView(reads, (await reads.find(id))!);

  app.get('/tickets', async (c) => {
    const { email, ids } = claims(c);
    const rows = await reads.ownedList(email, ids);
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
    return c.json(await requesterView(reads, await load(c)));
  });

  app.post('/tickets/:ref/comment', async (c) => {
    const b = await readJson(c, z.object({ text: z.string().trim().min(1, 'Please write a comment.').max(20_000) }));
    const t = await load(c);
    // readIntent: "thanks, that fixed it" resolves; "still broken" hands an AI ticket to a person.
    const after = await d.tickets.comment(t.id, { authorKind: 'requester', text: b.text, readIntent: true }, actor(c));
    return c.json(await fresh(after.id), 201);
  });

  app.post('/tickets/:ref/close', async (c) => {
    const t = await load(c);
    const { already } = t.status === 'closed' ? { already: true } : await d.tickets.closeIfOpen(t.id, actor(c));
    return c.json({ ...(await fresh(t.id)), alreadyClosed: already });
  });

  // "This solved it" on the article the acknowledgment suggested: resolved as solved by suggestion (a POST, never a GET).
  app.post('/tickets/:ref/solved', async (c) => {
    const t = await load(c);
    const { already } = await d.tickets.solvedBySuggestion(t.id, actor(c));
    return c.json({ ...(await fresh(t.id)), alreadyResolved: already });
  });

  app.post('/tickets/:ref/feedback', async (c) => {
    const b = await readJson(
      c,
      z.object({ score: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() }),
    );
    const t = await load(c);
    await d.tickets.feedback(t.id, b.score, actor(c), b.comment || null);
    return c.json(await fresh(t.id));
  });

  return app;
}
