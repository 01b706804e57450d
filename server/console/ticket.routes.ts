/**
 * Ticket view and actions. Every action is a plain form POST (works without script) answered with a redirect
 * back to the ticket (post/redirect/get, so a reload never repeats it) carrying a flash key from a fixed table.
 */
import { Hono, type Context } from 'hono';
import { AppError, ERRORS, type ErrorCode } from '../errors.js';
import { resolveCid } from './thread.js';
import type { Agents } from '../agents/agents.js';
import type { Logger } from '../log.js';
import type { TicketRow } from '../tickets/reads.js';
import type { TicketService } from '../tickets/service.js';
import { identityOf, type ConsoleAuth, type ConsoleIdentity } from './auth.js';
import type { Presence } from './presence.js';
import { ticketPage } from './ticket.pages.js';
import type { ReplyDrafter } from '../triage/draft.js';
import { composeDraft, draftFragment, wantsDraft, type DraftWithSimilar } from './draft-panel.js';
import { html } from '../http/html.js';
import { page } from './html.js';

export interface TicketRoutesDeps {
  auth: ConsoleAuth;
  tickets: TicketService;
  agents: Agents;
  presence: Presence;
  log: Logger;
  /** Drafts replies for tickets a person handles (issue 13, item 4); without it the page has no draft panel. */
  drafter?: ReplyDrafter | null;
}

const DONE: Record<string, string> = {
  take: 'The ticket is yours.',
  assign: 'Assigned.',
  reply: 'Reply sent to the requester.',
  note: 'Internal note added.',
  correct: 'Triage corrected; the classifier will learn from it.',
  resolve: 'Resolved; the requester was emailed the resolution.',
  close: 'Closed.',
  reopen: 'Reopened.',
  confirm: 'Confirmed: your email reply was sent to the requester.',
};

type Handler = (ref: string, form: Record<string, string>, me: ConsoleIdentity, actor: string) => Promise<unknown>;

/** Ticket routes (mounted inside consoleRoutes under /tickets). */
export function ticketRoutes(d: TicketRoutesDeps) {
  const app = new Hono();
  const { reads } = d.tickets;
  const find = (ref: string) => reads.find(ref);
  const notFound = (c: Context, me: ConsoleIdentity) =>
    page(c, html`<h1>No such ticket</h1><p><a href="/console">Back to the queues</a></p>`, {
      title: 'Not found',
      status: 404,
      agent: me.agent,
      csrf: me.csrf,
    });

  // One draft per ticket version and agent: a reload (or a writer that takes seconds) does not compose it again.
  const drafts = new Map<string, Promise<DraftWithSimilar>>();
  function draftOf(ticket: TicketRow, me: ConsoleIdentity): Promise<DraftWithSimilar> {
    const key = `${ticket.id}:${new Date(ticket.updatedAt).getTime()}:${me.agent.id}`;
    let p = drafts.get(key);
    if (!p) {
      p = composeDraft({ drafter: d.drafter!, reads }, ticket, me.agent.name);
      p.catch(() => drafts.delete(key));
      drafts.set(key, p);
      if (drafts.size > 200) drafts.delete(drafts.keys().next().value!);
    }
    return p;
  }

  async function show(c: Context, me: ConsoleIdentity, ticket: TicketRow) {
    const [thread, events, agents, requester] = await Promise.all([
      reads.messages(ticket.id, { internal: true }),
      reads.events(ticket.id),
      d.agents.all(),
      reads.requester(ticket.requesterId),
    ]);
    const messages = await Promise.all(
      thread.map(async (m) =>
        m.html && /cid:/i.test(m.html) && m.attachments.some((a) => a.contentId)
          ? { ...m, html: resolveCid(m.html, await reads.inlineParts(m.id)) }
          : m,
      ),
    );
    const others = d.presence.touch(ticket.id, me.agent);
    const e = c.req.query('e') as ErrorCode | undefined;
    const m = c.req.query('m');
    // Only keys from fixed tables are shown: nothing from the URL is echoed into the page.
    const flash =
      e && e in ERRORS
        ? { kind: 'error' as const, text: ERRORS[e].message }
        : m && DONE[m]
          ? { kind: 'ok' as const, text: DONE[m] }
          : null;
    // The draft panel; without script, ?draft=show renders the draft and ?draft=insert also fills the reply box.
    const want = d.drafter && wantsDraft(ticket) ? c.req.query('draft') : undefined;
    const draft =
      d.drafter && wantsDraft(ticket)
        ? { filled: want === 'show' || want === 'insert' ? await draftOf(ticket, me) : null, insert: want === 'insert' }
        : null;
    return ticketPage(c, me, { ticket, requester, messages, events, agents, others, draft }, flash);
  }

  app.get('/:ref', async (c) => {
    const me = await identityOf(d.auth, c);
    const ticket = await find(c.req.param('ref'));
    return ticket ? show(c, me, ticket) : notFound(c, me);
  });

  // Fetched by the page script: the drafted reply as a server-rendered fragment (the one renderer escapes it).
  app.get('/:ref/draft', async (c) => {
    const me = await identityOf(d.auth, c);
    const ticket = await find(c.req.param('ref'));
    c.header('Cache-Control', 'no-store');
    if (!ticket || !d.drafter || !wantsDraft(ticket))
      return c.html('<p class="empty">No draft for this ticket.</p>', 404);
    const x = await draftOf(ticket, me);
    return c.html(draftFragment(ticket.ref ?? String(ticket.id), x).toString());
  });

  // Polled by the page script: refreshes this agent's presence and returns who else is there.
  app.get('/:ref/presence', async (c) => {
    const me = await identityOf(d.auth, c);
    const ticket = await find(c.req.param('ref'));
    if (!ticket) return c.json({ others: [] }, 404);
    c.header('Cache-Control', 'no-store');
    return c.json({ others: d.presence.touch(ticket.id, me.agent).map((v) => v.name) });
  });

  const text = (f: Record<string, string>, k: string) => (f[k] ?? '').replace(/\r\n/g, '\n').trim();
  const handlers: Record<string, Handler> = {
    take: (ref, _f, me, actor) => d.tickets.assign(ref, me.agent.id, actor),
    assign: (ref, f, _me, actor) => d.tickets.assign(ref, Number(f.agent) || -1, actor),
    reply: (ref, f, me, actor) =>
      d.tickets.comment(ref, { authorKind: 'agent', agentId: me.agent.id, text: text(f, 'text') }, actor),
    note: (ref, f, me, actor) =>
      d.tickets.comment(
        ref,
        { authorKind: 'agent', agentId: me.agent.id, text: text(f, 'text'), internal: true },
        actor,
      ),
    correct: async (ref, f, _me, actor) => {
      const t = await find(ref);
      // Only what changed is a correction; an unchanged form records nothing.
      const patch: { category?: string; severity?: string; urgency?: string } = {};
      for (const k of ['category', 'severity', 'urgency'] as const) if (f[k] && f[k] !== t?.[k]) patch[k] = f[k];
      if (Object.keys(patch).length) await d.tickets.correct(ref, patch, actor);
    },
    resolve: (ref, f, _me, actor) => d.tickets.resolve(ref, text(f, 'resolution'), actor),
    close: (ref, _f, _me, actor) => d.tickets.close(ref, actor),
    reopen: (ref, _f, me, actor) => d.tickets.reopen(ref, actor, `reopened in the console by ${me.agent.name}`),
    confirm: (ref, f, me, actor) => d.tickets.confirmEmailReply(ref, Number(f.message), me.agent.id, actor),
  };

  app.post('/:ref/:action', async (c) => {
    const me = await identityOf(d.auth, c);
    const handler = handlers[c.req.param('action')];
    const ticket = await find(c.req.param('ref'));
    if (!handler || !ticket) return notFound(c, me);
    const back = `/console/tickets/${ticket.ref}`;
    const form = Object.fromEntries(
      Object.entries(await c.req.parseBody()).map(([k, v]) => [k, typeof v === 'string' ? v : '']),
    );
    try {
      await handler(ticket.ref!, form, me, `agent:${me.agent.id}`);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      d.log.info({ ticketId: ticket.id, action: c.req.param('action'), code: err.code }, 'console action refused');
      return c.redirect(`${back}?e=${err.code}`, 303);
    }
    return c.redirect(`${back}?m=${c.req.param('action')}`, 303);
  });

  return app;
}
