/**
 * Creating a ticket, the same for every channel: store first (requester, ticket 'new', first message) in one
 * transaction; then triage outside any transaction (OpenAI may take seconds); then apply the routing decision with
 * its message and mail in a second transaction. A crash between the two leaves a 'new' ticket that the recovery
 * sweep triages again; the second step re-checks the status under a row lock, so it never runs twice.
 */
import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { Requester, Ticket } from '../db/models.js';
import { refFor } from '../domain/vocabulary.js';
import type { FastDetection } from '../incidents/detect-sql.js';
import type { Incidents } from '../incidents/incidents.js';
import { createFastCreation, type CreatedTicket, type FastWrite } from './fast-create.js';
import { subjectFrom, triageChange, type CreateDeps, type NewTicket } from './new-ticket.js';
import type { RosterMember } from './roster.js';

/** The fast create path's own dependencies (fast-create.ts); without them every ticket takes the full path. */
export type FastDeps = { fast: FastWrite; detection: { fast: FastDetection; signal: Incidents['signal'] } };

export function createTicketCreation(deps: CreateDeps & Partial<FastDeps>) {
  const { store } = deps;
  const { Ticket, Requester } = store.models;
  const fast =
    deps.fast && deps.detection ? createFastCreation({ ...deps, fast: deps.fast, detection: deps.detection }) : null;

  /**
   * Finds or creates the requester by address. Only a trusted channel (the admin API) may change an existing
   * requester's name or development centre: the widget, the create API without the token and email are
   * unauthenticated, and anyone can type someone else's address there (issue 11, item 9). What they gave is kept
   * on the ticket instead.
   *
   * Insert first, then read (issue 12, item 1): a locking read of a row that does not exist yet takes a gap lock in
   * InnoDB, and two new requesters in the same gap then deadlock on their inserts. The insert takes a lock on the
   * row it wrote or found (ON DUPLICATE KEY UPDATE locks the existing row exclusively, so two posts by one person
   * queue instead of both upgrading a shared lock); the read after it is a locking read of a row that exists, which
   * sees it even when it was committed after this transaction's snapshot.
   */
  async function upsertRequester(
    t: Transaction,
    input: Pick<NewTicket, 'name' | 'email' | 'devCenter' | 'channel'>,
  ): Promise<Requester> {
    const addr = input.email.trim().toLowerCase();
    const { name, devCenter } = input;
    const sql = Requester.sequelize!;
    // As Sequelize writes DATETIME on each dialect (a bound Date would be stored as a number on SQLite).
    const iso = deps.clock().toISOString().slice(0, 23).replace('T', ' ');
    const now = sql.getDialect() === 'sqlite' ? `${iso} +00:00` : iso;
    await sql.query(
      'INSERT INTO requesters (email, name, dev_center, created_at, updated_at) ' +
        'VALUES ($addr, $name, $dc, $now, $now) ' +
        (sql.getDialect() === 'sqlite' ? 'ON CONFLICT (email) DO NOTHING' : 'ON DUPLICATE KEY UPDATE id = id'),
      // Bound, not inlined: a NUL in a name would end SQLite's SQL text early (a 500 the fuzz test found).
      { bind: { addr, name: name || addr.split('@')[0]!, dc: devCenter ?? null, now }, transaction: t },
    );
    const existing = (await Requester.findOne({ where: { email: addr }, transaction: t, lock: t.LOCK.UPDATE }))!;
    if (input.channel !== 'api') return existing;
    const patch: Partial<Requester> = {};
    if (name && name !== existing.name) patch.name = name;
    if (devCenter && devCenter !== existing.devCenter) patch.devCenter = devCenter;
    return Object.keys(patch).length ? existing.update(patch, { transaction: t }) : existing;
  }

  /** Stores a new ticket (status 'new') with its first message; no triage yet. */
  function store_(input: NewTicket): Promise<Ticket> {
    return store.tx(async (t) => {
      const requester = await upsertRequester(t, input);
      const ticket = await Ticket.create(
        {
          ref: null,
          subject: (input.subject?.trim() || subjectFrom(input.issue)).slice(0, 300),
          description: input.issue,
          channel: input.channel,
          status: 'new',
          severity: 'low',
          urgency: 'low',
          category: 'Software / Applications',
          sentiment: null,
          intent: null,
          summary: null,
          route: 'pool',
          assigneeId: null,
          requesterId: requester.id,
          requesterName: input.name.trim().slice(0, 200) || null,
          devCenter: input.devCenter ?? requester.devCenter,
          classifier: null,
          confidence: null,
          parentTicketId: input.parentTicketId ?? null,
          idempotencyKey: input.idempotencyKey ?? null,
          createdAt: deps.clock(),
        },
        { transaction: t },
      );
      await ticket.update({ ref: refFor(ticket.id) }, { transaction: t });
      await store.addMessage(t, {
        ticketId: ticket.id,
        authorKind: 'requester',
        authorAgentId: null,
        authorEmail: requester.email,
        text: input.issue,
        email: input.mail,
      });
      await store.audit(t, ticket.id, `requester:${requester.email}`, 'created', {
        channel: input.channel,
        parentTicketId: input.parentTicketId ?? null,
      });
      return ticket;
    });
  }

  /** Triages a stored 'new' ticket and applies the decision; a no-op when it was already triaged. */
  async function triage(ticketId: number, opts: { notice?: string } = {}): Promise<Ticket> {
    const pre = await Ticket.findByPk(ticketId, { include: [{ model: Requester, as: 'requester' }] });
    if (!pre) throw new Error(`ticket ${ticketId} vanished`);
    if (pre.status !== 'new') return pre;
    const requester = pre.requester!;
    const roster = await deps.roster();
    // The decision routes to the AI agent only when the plan says its answer fits this request (answerability).
    const {
      classification: c,
      decision: d,
      plan,
    } = await deps.triage.triage(
      {
        subject: pre.subject,
        text: pre.description,
        requester: { name: requester.name, email: requester.email, devCenter: requester.devCenter },
      },
      roster,
    );
    const answer = d.route === 'ai' && plan?.kind === 'answer' && plan.answer ? plan : null;
    const agent: RosterMember | null = d.agent ? (roster.find((a) => a.id === d.agent!.id) ?? null) : null;
    return store.tx(async (t) => {
      const ticket = await Ticket.findByPk(ticketId, { transaction: t, lock: t.LOCK.UPDATE });
      if (ticket?.status !== 'new') return ticket ?? pre;
      const triaged = triageChange(c, d, agent, plan);
      await store.change(t, ticket, 'triage', 'system', triaged.patch, triaged.audit);
      // Major incidents: the ticket may join an open incident or open one; a child gets the incident's email instead
      // of an answer or an acknowledgment (incident-ops.ts).
      const incident = await deps.incidents.afterTriage(t, ticket, requester, { classification: c, plan, roster });
      if (incident) {
        deps.log.info({ ticketId: ticket.id, incident: incident.incident.ref, action: incident.action }, 'incident');
      } else if (answer?.answer && agent) {
        const messageId = deps.ids.messageId(ticket.id);
        await store.addMessage(t, {
          ticketId: ticket.id,
          authorKind: 'ai',
          authorAgentId: agent.id,
          authorEmail: null,
          text: answer.answer,
          emailMessageId: messageId,
        });
        await store.change(
          t,
          ticket,
          'ai_answer',
          'ai',
          { firstResponseAt: deps.clock() },
          {
            agent: agent.name,
            composer: answer.composer,
            sources: answer.sources,
          },
        );
        await deps.notifier.aiAnswer(t, await store.mailContext(t, ticket, requester), agent, answer.answer, messageId);
      } else {
        const ctx = await store.mailContext(t, ticket, requester);
        // Issue 13, item 2: "While you wait: this usually fixes it" with the plan's suggestion, when it has one.
        await deps.notifier.ticketReceived(t, ctx, agent, plan?.suggestion ?? null);
        if (agent?.kind === 'human') await deps.notifier.assignment(t, ctx, agent);
      }
      if (opts.notice) await deps.notifier.notice(t, await store.mailContext(t, ticket, requester), opts.notice);
      return ticket;
    });
  }

  return {
    store: store_,
    triage,
    /** The whole intake: in one transaction where it can (fast-create.ts), else store, then triage and route. */
    async create(input: NewTicket): Promise<CreatedTicket> {
      const quick = fast && (await fast.create(input));
      if (quick) return quick;
      let stored: Ticket;
      try {
        stored = await store_(input);
      } catch (err) {
        if (input.idempotencyKey && err instanceof UniqueConstraintError) {
          // The same submission again (a retry after a lost response): the ticket its first attempt created.
          const first = await Ticket.findOne({ where: { idempotencyKey: input.idempotencyKey } });
          if (first) return Object.assign(first, { replayed: true });
        }
        throw err;
      }
      deps.log.info(
        { ticketId: stored.id, ref: stored.ref, channel: input.channel, messageId: input.mail?.messageId },
        'ticket stored',
      );
      const ticket = await triage(stored.id, { notice: input.mail?.notice });
      deps.log.info(
        {
          ticketId: ticket.id,
          ref: ticket.ref,
          route: ticket.route,
          category: ticket.category,
          classifier: ticket.classifier,
        },
        'ticket triaged',
      );
      return ticket;
    },
  };
}
