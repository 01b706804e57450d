/**
 * "This solved it" on the article a pool or IT-team ticket was acknowledged with (issue 13, item 2): the requester
 * confirms the suggestion solved their problem, and the ticket is resolved as solved by suggestion (its own
 * `resolvedBy`, counted apart in analytics) through the transition table; the entry is credited. Only a POST (a
 * person's press on the page, or the widget) gets here: a GET of the email link shows a button (requester pages).
 */
import type { Ticket } from '../db/models.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { aiContribution, type OutcomeCredit } from './outcomes.js';
import type { Actor, Store } from './store.js';

export function createSuggestionActions(deps: {
  store: Store;
  credit: OutcomeCredit;
  clock: () => Date;
  log: Logger;
  changed: (ticket: Ticket, action: string) => void;
}) {
  const { store } = deps;
  return {
    /**
     * Resolves the ticket as solved by its suggested article. `already`: it was resolved or closed before (a second
     * press, or a person was quicker), which is not an error for the requester.
     */
    async solvedBySuggestion(ref: string | number, actor: Actor): Promise<{ ticket: Ticket; already: boolean }> {
      const r = await store.tx(async (t) => {
        const ticket = await store.lock(t, ref);
        const c = aiContribution(ticket.triage);
        if (c?.kind !== 'suggest') throw new AppError('invalid_transition', 'This ticket has no suggested article.');
        if (ticket.status === 'resolved' || ticket.status === 'closed') return { ticket, already: true };
        await store.change(
          t,
          ticket,
          'suggestion_solved',
          actor,
          {
            resolution: `Solved by the suggested article “${c.entry.title}”.`,
            resolvedAt: deps.clock(),
            resolvedBy: 'suggestion',
          },
          { kbEntryId: c.entry.id },
        );
        await deps.credit(t, ticket, 'solved', 'this solved it');
        return { ticket, already: false };
      });
      if (!r.already) {
        deps.log.info({ ticketId: r.ticket.id, ref: r.ticket.ref, action: 'solved_by_suggestion' }, 'ticket changed');
        deps.changed(r.ticket, 'resolved');
      }
      return r;
    },
  };
}
