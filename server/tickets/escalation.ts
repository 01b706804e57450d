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
      const cutoff = new Date(deps.clock().getTime() - deps.hours * 3600_000);
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
          let holder = ticket.assigneeId ? (roster.find((a) => a.id === ticket.assigneeId) ?? null) : null;
          if (holder?.kind !== 'human') {
            holder =
              roster
                .filter((a) => a.kind === 'human' && a.skills.includes(ticket.category))
                .sort((a, b) => a.openTickets - b.openTickets || a.id - b.id)[0] ?? null;
            if (holder) holder.openTickets++;
          }
          const patch = {
            escalated: true,
            escalatedAt: deps.clock(),
            route: holder ? 'it_team' : 'pool',
            assigneeId: holder?.id ?? null,
          } as const;
          await store.change(t, ticket, 'escalate', 'system', patch, {
            hours: deps.hours,
            agent: holder?.name ?? null,
          });
          const ctx = await store.mailContext(t, ticket);
          if (holder) await deps.notifier.escalation(t, ctx, holder, `It is now assigned to you (${holder.name}).`);
          else {
            const why = 'Nobody with this skill is available: it waits in the pool, flagged as escalated.';
            for (const m of managers) await deps.notifier.escalation(t, ctx, m, why);
          }
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
