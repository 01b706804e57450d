/** Ticket HTTP API: the public create endpoint (widget, integrations) and the admin API behind the bearer token. */
import { Hono } from 'hono';
import { z } from 'zod';
import { knownCentre } from '../domain/centres.js';
import { isRoute, STATUSES, type Status } from '../domain/vocabulary.js';
import { AppError } from '../errors.js';
import { hasAdminToken, requireAdmin } from '../http/auth.js';
import { readJson } from '../http/errors.js';
import type { LinkSigner } from '../http/signed-links.js';
import type { Agents } from '../agents/agents.js';
import type { TicketRow } from '../tickets/reads.js';
import type { CreatedTicket } from '../tickets/fast-create.js';
import { sameSubmission, scopedIdempotencyKey } from '../tickets/idempotency.js';
import type { TicketService } from '../tickets/service.js';
import { suggestionOf, ticketDetail, ticketSummary } from '../tickets/view.js';
import { requesterToken } from './requester-token.js';

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

/**
 * The Idempotency-Key header of a create request, or null without one. One submission's key (the widget sends a
 * UUID): at most 100 printable token characters (RFC 9110 tchar), anything else is refused rather than stored.
 */
export function idempotencyKeyOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/.test(header))
    throw new AppError(
      'validation_failed',
      "The Idempotency-Key header must be 1 to 100 letters, digits or -._~!#$%&'*+^`|.",
      {
        fields: { 'Idempotency-Key': 'At most 100 printable characters, no spaces.' },
      },
    );
  return header;
}

export interface TicketApiDeps {
  tickets: TicketService;
  agents: Agents;
  signer: LinkSigner;
  adminToken?: string;
  /** The development centres a ticket may name; anything else is a 400 (it would reach the console's filters). */
  devCenters: readonly string[];
}

export function ticketApiRoutes(d: TicketApiDeps) {
  const app = new Hono();
  const { reads } = d.tickets;

  app.post('/', async (c) => {
    const body = await readJson(c, newTicketSchema);
    const isAdmin = hasAdminToken(c.req.header('authorization'), d.adminToken);
    if (body.website) {
      // Pretend success to the bot, store nothing.
      const fake = {
        id: 0,
        ref: 'IT-0',
        status: 'new',
        route: 'pool',
        category: null,
        severity: null,
        urgency: null,
        assignee: null,
      };
      return c.json(fake, 201);
    }
    const devCenter = knownCentre(body.devCenter, d.devCenters);
    if (body.devCenter && !devCenter)
      throw new AppError('validation_failed', 'Please choose your development centre from the list.', {
        fields: { devCenter: `One of: ${d.devCenters.join(', ')}.` },
      });
    const input = {
      name: body.name,
      email: body.email,
      devCenter,
      subject: body.subject,
      issue: body.issue,
      channel: isAdmin ? ('api' as const) : ('widget' as const),
    };
    const key = idempotencyKeyOf(c.req.header('idempotency-key'));
    let t: CreatedTicket;
    if (key) {
      const r = await d.tickets.createOnce({ ...input, idempotencyKey: scopedIdempotencyKey(key, body.email) });
      if (r.replayed && !sameSubmission(r.ticket, input)) throw new AppError('idempotency_key_reused');
      t = r.ticket;
    } else t = await d.tickets.create(input);
    // The fast create path hands back the answer it wrote (no read of it); otherwise it is read from the stored
    // ticket, so a retry with the same Idempotency-Key gets the same answer.
    const answer = t.route === 'ai' ? (t.answerText ?? (await reads.aiAnswer(t.id))) : null;
    // The one article the acknowledgment carries (pool and IT-team tickets with a confident match).
    const suggestion = answer ? null : suggestionOf(t);
    const assignee = t.assigneeId
      ? ((await d.tickets.roster()).find((a) => a.id === t.assigneeId) ?? (await d.agents.byId(t.assigneeId)))
      : null;
    return c.json(
      {
        id: t.id,
        ref: t.ref,
        status: t.status,
        route: t.route,
        category: t.category,
        severity: t.severity,
        urgency: t.urgency,
        assignee: assignee ? { name: assignee.name, kind: assignee.kind } : null,
        ...(answer ? { answer } : {}),
        ...(suggestion ? { suggestion } : {}),
        requesterToken: requesterToken(d.signer, t.id, body.email, body.requesterToken),
      },
      201,
    );
  });

  // Everything but creation needs the admin token (agents use the console).
  const admin = requireAdmin(d.adminToken);

  app.get('/', admin, async (c) => {
    const q = c.req.query();
    const status = q.status ? q.status.split(',') : undefined;
    if (status?.some((x) => !STATUSES.includes(x as Status))) {
      throw new AppError('validation_failed', undefined, { fields: { status: `one of ${STATUSES.join(', ')}` } });
    }
    if (q.route && !isRoute(q.route))
      throw new AppError('validation_failed', undefined, { fields: { route: 'ai, it_team or pool' } });
    const limit = Math.min(Math.max(Number(q.limit) || 50, 1), 500);
    const offset = Math.min(Math.max(Number(q.offset) || 0, 0), 1e9);
    const filter = {
      status: status as Status[] | undefined,
      route: q.route as never,
      category: q.category,
      devCenter: q.devCenter,
    };
    const { tickets } = await reads.list(filter, { limit, offset });
    return c.json({ tickets: tickets.map(ticketSummary), limit, offset });
  });

  const found = async (ref: string) => {
    const t = await reads.find(ref);
    if (!t) throw new AppError('ticket_not_found', `No ticket ${ref}.`);
    return t;
  };
  const respond = async (t: { id: number }) =>
    ticketDetail(reads, (await reads.find(t.id)) as TicketRow, { internal: true });

  app.get('/:ref', admin, async (c) =>
    c.json(await ticketDetail(reads, await found(c.req.param('ref')), { internal: true })),
  );

  app.post('/:ref/assign', admin, async (c) => {
    const b = await readJson(c, z.object({ agent: z.union([z.string().min(1), z.number().int()]) }));
    return c.json(await respond(await d.tickets.assign(c.req.param('ref'), b.agent, 'admin-api')));
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
    const agent = b.agent !== undefined ? await d.agents.find(b.agent) : null;
    const t = await d.tickets.comment(
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
    return c.json(await respond(await d.tickets.resolve(c.req.param('ref'), b.resolution, 'admin-api')));
  });
  app.post('/:ref/close', admin, async (c) =>
    c.json(await respond(await d.tickets.close(c.req.param('ref'), 'admin-api'))),
  );
  app.post('/:ref/reopen', admin, async (c) => {
    const b = await readJson(c, z.object({ reason: z.string().max(2000).optional() }));
    return c.json(await respond(await d.tickets.reopen(c.req.param('ref'), 'admin-api', b.reason)));
  });
  app.post('/:ref/triage', admin, async (c) => {
    const b = await readJson(
      c,
      z.object({ category: z.string().optional(), severity: z.string().optional(), urgency: z.string().optional() }),
    );
    return c.json(await respond(await d.tickets.correct(c.req.param('ref'), b, 'admin-api')));
  });

  return app;
}
