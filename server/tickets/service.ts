/**
 * The ticket service: the only writer of tickets, requesters, messages, attachments, feedback and their audit
 * events. Channels (mail intake, the widget API, the console, requester pages, the admin API) call its named
 * operations; it calls triage, the knowledge base, incidents and the outbox below it. Other rooms read through
 * `reads` (and incidents through `incidents`, whose operations change tickets here).
 */
import type { Sequelize } from 'sequelize';
import type { Agents } from '../agents/agents.js';
import type { Models, Ticket } from '../db/models.js';
import { AppError } from '../errors.js';
import type { Incidents } from '../incidents/incidents.js';
import type { Kb } from '../kb/entries.js';
import type { Logger } from '../log.js';
import type { MailIds } from '../mail/outbound/ids.js';
import type { Notifier } from '../mail/outbound/notify.js';
import type { Triage } from '../triage/service.js';
import type { Classifier } from '../triage/types.js';
import { createTicketActions } from './actions.js';
import { createTicketCreation } from './create.js';
import type { FastWrite } from './fast-create.js';
import type { NewTicket } from './new-ticket.js';
import { createEscalation } from './escalation.js';
import { createIdempotentCreation } from './idempotency.js';
import { createIncidentActions } from './incident-actions.js';
import { createIncidentOps } from './incident-ops.js';
import { createLinkFetches } from './links.js';
import { createOutcomeCredit } from './outcomes.js';
import type { TicketReads } from './reads.js';
import { createRoster } from './roster.js';
import { createStore, type Actor } from './store.js';
import { createSuggestionActions } from './suggestion.js';

export interface TicketServiceDeps {
  sequelize: Sequelize;
  models: Models;
  /** The read model over the same models (built first: the classifier learns from it). */
  reads: TicketReads;
  agents: Agents;
  triage: Triage;
  /** The local classifier, used to read intent and sentiment in replies. */
  replyReader: Classifier;
  notifier: Notifier;
  ids: MailIds;
  /** When the mail with this Message-ID left (the outbox): link fetches seconds after it are a scanner's. */
  mailSent?: (messageId: string) => Promise<Date | null>;
  kb: Kb;
  /** Major incidents (server/incidents/): detection runs inside the triage step; children change here. */
  incidents: Incidents;
  escalationHours: number;
  clock: () => Date;
  log: Logger;
  /** The fast create path's own SQL (fast-create.ts); without it every ticket takes the two-transaction path. */
  fast?: FastWrite | null;
  /** Told after every committed change, with the ticket id, its creation time and what happened. */
  onChange?: (change: { id: number; createdAt: Date | null }, action: string) => void;
}

export function createTicketService(deps: TicketServiceDeps) {
  const store = createStore(deps);
  const roster = createRoster({ models: deps.models, agents: deps.agents });
  const { reads } = deps;
  const changed = (t: Ticket, action: string) => deps.onChange?.({ id: t.id, createdAt: t.createdAt ?? null }, action);
  const incidentOps = createIncidentOps({ ...deps, store, changed });
  const fast = deps.fast
    ? { fast: deps.fast, detection: { fast: deps.incidents.fastDetection, signal: deps.incidents.signal } }
    : { fast: undefined };
  const creation = createTicketCreation({ ...deps, store, roster, incidents: incidentOps, ...fast });
  const credit = createOutcomeCredit({ store, kb: deps.kb });
  const suggestion = createSuggestionActions({ ...deps, store, credit, changed });
  const actions = createTicketActions({
    ...deps,
    store,
    roster,
    changed,
    credit,
    solvedBySuggestion: suggestion.solvedBySuggestion,
    afterReopen: incidentOps.afterReopen,
  });
  const incidentActions = createIncidentActions({
    ...deps,
    store,
    changed,
    ops: incidentOps,
    storeNew: (i) => creation.store(i),
  });
  const inc = deps.incidents;
  const escalation = createEscalation({ ...deps, store, roster, hours: deps.escalationHours });
  const links = createLinkFetches({ ...deps, store, changed });
  const once = createIdempotentCreation({ models: deps.models, creation, changed });

  return {
    reads,
    roster,
    /** Stores, triages and routes a new ticket from any channel. */
    async create(input: NewTicket) {
      const t = await creation.create(input);
      changed(t, 'created');
      return t;
    },
    /**
     * create() for a submission with an Idempotency-Key (scoped, idempotency.ts): a retry gets the ticket the first
     * attempt created (`replayed`), triaged, instead of a second one.
     */
    createOnce: once.createOnce,
    /**
     * Only the first half of create(): the ticket stored as 'new', not triaged. What a crash between the two leaves
     * behind; drills use it, and the recovery job (recoverUntriaged) finishes such tickets.
     */
    storeUntriaged: (input: NewTicket) => creation.store(input),
    /** Triages a ticket stored as 'new' (after a crash between storing and triage); a no-op otherwise. */
    triageStored: (ticketId: number) => creation.triage(ticketId),
    assign: actions.assign,
    comment: actions.comment,
    confirmEmailReply: actions.confirmEmailReply,
    resolve: actions.resolve,
    close: actions.close,
    /** Closes unless it already is; a concurrent close is not an error for the person who asked. */
    async closeIfOpen(ref: string | number, actor: Actor): Promise<{ ticket: Ticket | null; already: boolean }> {
      try {
        return { ticket: await actions.close(ref, actor), already: false };
      } catch (err) {
        if (err instanceof AppError && err.code === 'invalid_transition') return { ticket: null, already: true };
        throw err;
      }
    },
    reopen: actions.reopen,
    /** "This solved it" on the article the acknowledgment suggested: resolved as solved by suggestion. */
    solvedBySuggestion: suggestion.solvedBySuggestion,
    feedback: actions.feedback,
    /** A GET of a link from one of our emails: never an action; an emoji's score only provisionally (links.ts). */
    linkFetched: links.fetched,
    pendingScore: links.pendingScore,
    /** Turns provisional emoji-link scores that are due into feedback (the settle job, and on reading a ticket). */
    settleFeedback: links.settle,
    correct: actions.correct,
    recordBounce: actions.recordBounce,
    /** Escalates what is overdue (the escalation job). */
    escalateOverdue: (limit?: number) => escalation.sweep(limit),
    /**
     * Major incidents: what channels do with them (each changes the children here, through the transition table)
     * and what they read of them (plain rows from the incidents room).
     */
    incidents: {
      ...incidentActions,
      find: inc.find,
      list: inc.list,
      children: inc.children,
      updates: inc.updates,
      known: inc.known,
    },
    /** Triages tickets stored but never triaged, older than 30 seconds (the recovery job). */
    async recoverUntriaged(): Promise<number> {
      const ids = await reads.untriaged(new Date(deps.clock().getTime() - 30_000));
      for (const id of ids) await creation.triage(id);
      return ids.length;
    },
  };
}

export type TicketService = ReturnType<typeof createTicketService>;
export type { NewTicket };
export type { CommentInput } from './actions.js';
