/**
 * Escalation: tickets unresolved ESCALATION_HOURS after creation are marked escalated, AI-handled and pool
 * tickets move to the IT team (the least-loaded member with the category's skill, or the pool with the escalated
 * flag when nobody fits), and the holder (or the managers) is emailed. Run by a job under a lease; each ticket is
 * re-checked under a row lock, so a sweep repeated after a crash or by another process does nothing twice.
 */
import { Op } from 'sequelize';
import { OPEN_STATUSES } from '../domain/vocabulary.js';
import { inTx, type TicketDeps } from './deps.js';

export function createEscalation(deps: TicketDeps & { hours: number }) {
  const { Ticket, Agent, Requester } = deps.models;

  return {
    /** Escalates every overdue ticket; returns how many it escalated. */
    async sweep(limit = 200): Promise<number> {
      const cutoff = new Date(deps.clock().getTime() - deps.hours * 3600_000);
      const due = await Ticket.findAll({
        where: { escalated: false, status: { [Op.in]: OPEN_STATUSES as string[] }, createdAt: { [Op.lt]: cutoff } },
        attributes: ['id'],
        order: [['id', 'ASC']],
        limit,
      });
      if (!due.length) return 0;
      const roster = await deps.triage.roster();
      let n = 0;
      for (const { id } of due) {
        const done = await inTx(deps, async (t) => {
          const ticket = await Ticket.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
          if (!ticket || ticket.escalated || !OPEN_STATUSES.includes(ticket.status as never)) return false;
          const requester = (await Requester.findByPk(ticket.requesterId, { transaction: t }))!;
          let assignee = ticket.assigneeId ? await Agent.findByPk(ticket.assigneeId, { transaction: t }) : null;
          if (assignee?.kind !== 'human' || !assignee.active) {
            const lead = roster
              .filter((a) => a.kind === 'human' && a.skills.includes(ticket.category))
              .sort((a, b) => a.openTickets - b.openTickets || a.id - b.id)[0];
            assignee = lead ? await Agent.findByPk(lead.id, { transaction: t }) : null;
            if (lead) lead.openTickets++;
          }
          const now = deps.clock();
          await ticket.update(
            {
              escalated: true,
              escalatedAt: now,
              route: assignee ? 'it_team' : 'pool',
              assigneeId: assignee?.id ?? null,
            },
            { transaction: t },
          );
          await deps.audit(t, ticket.id, 'system', 'escalate', { hours: deps.hours, agent: assignee?.name ?? null });
          if (assignee) {
            await deps.notifier.escalation(
              t,
              ticket,
              requester,
              assignee,
              `It is now assigned to you (${assignee.name}).`,
            );
          } else {
            const managers = await Agent.findAll({
              where: { role: { [Op.in]: ['manager', 'admin'] }, active: true },
              transaction: t,
            });
            for (const m of managers)
              await deps.notifier.escalation(
                t,
                ticket,
                requester,
                m,
                'Nobody with this skill is available: it waits in the pool, flagged as escalated.',
              );
          }
          return true;
        });
        if (done) {
          n++;
          deps.log.warn({ ticketId: id }, 'ticket escalated');
        }
      }
      return n;
    },
  };
}
