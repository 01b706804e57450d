/**
 * Escalation: tickets unresolved ESCALATION_HOURS after creation are marked escalated; AI-handled and pool tickets
 * move to the IT team (the least-loaded member with the category's skill, or the pool with the escalated flag when
 * nobody fits), and the holder (or the managers) is emailed. Run by a job under a lease; each ticket is re-checked
 * under a row lock, so a sweep repeated after a crash or by another process does nothing twice.
 */
import { Op } from 'sequelize';
import type { Agents } from '../agents/agents.js';
import { OPEN_STATUSES } from '../domain/vocabulary.js';
import type { Logger } from '../log.js';
import type { Notifier } from '../mail/outbound/notify.js';
import { escalationHolder, escalationNotices, escalationPatch, overdueBefore } from './escalation-rules.js';
import { allowed } from './lifecycle.js';
import type { Roster } from './roster.js';
import type { Store } from './store.js';

export interface EscalationDeps {
  store: Store;
  roster: Roster;
  agents: Agents;
  notifier: Notifier;
  hours: number;
  clock: () => Date;
  log: Logger;
}

export function createEscalation(deps: EscalationDeps) {
  const { store } = deps;
  const { Ticket } = store.models;

  return {
    /** Escalates every overdue ticket; returns how many it escalated. */
    async sweep(limit = 200): Promise<number> {
      const cutoff = overdueBefore(deps.clock(), deps.hours);
      const due = await Ticket.findAll({
        // A major incident's children are not escalated one by one: the incident has an owner.
        where: {
          escalated: false,
          status: { [Op.in]: OPEN_STATUSES },
          createdAt: { [Op.lt]: cutoff },
          incidentId: null,
        },
        attributes: ['id'],
        order: [['id', 'ASC']],
        limit,
      });
      if (!due.length) return 0;
      const roster = await deps.roster();
      const managers = await deps.agents.managers();
      let n = 0;
      for (const { id } of due) {
        const escalated = await store.tx(async (t) => {
          const ticket = await Ticket.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
          if (!ticket || ticket.escalated || !allowed(ticket.status, 'escalate')) return false;
          const holder = escalationHolder(ticket, roster);
          await store.change(t, ticket, 'escalate', 'system', escalationPatch(holder, deps.clock()), {
            hours: deps.hours,
            agent: holder?.name ?? null,
          });
          const ctx = await store.mailContext(t, ticket);
          for (const n of escalationNotices(holder, managers)) await deps.notifier.escalation(t, ctx, n.to, n.whereNow);
          return true;
        });
        if (escalated) {
          n++;
          deps.log.warn({ ticketId: id }, 'ticket escalated');
        }
      }
      return n;
    },
  };
}
