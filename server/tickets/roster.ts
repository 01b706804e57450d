/**
 * The roster routing decides against: active agents with their open-ticket counts. It is read for every ticket;
 * under a burst it is reused for a second (loads a second old still pick a fair "least loaded" member, and an
 * agent switched off stops getting tickets within a second).
 */
import { col, fn, Op } from 'sequelize';
import type { AgentInfo, Agents } from '../agents/agents.js';
import type { Models } from '../db/models.js';
import { OPEN_STATUSES } from '../domain/vocabulary.js';

const TTL_MS = 1000;

/** An agent with the number of open tickets assigned to them (routing's RosterAgent, plus the address). */
export type RosterMember = AgentInfo & { openTickets: number };

export function createRoster(deps: { models: Pick<Models, 'Ticket'>; agents: Agents }) {
  let cached: { at: number; value: Promise<RosterMember[]> } | null = null;

  async function load(): Promise<RosterMember[]> {
    const [agents, loads] = await Promise.all([
      deps.agents.active(),
      deps.models.Ticket.findAll({
        attributes: ['assigneeId', [fn('COUNT', col('id')), 'n']],
        // An incident's children are one piece of work for its owner, not forty.
        where: { status: { [Op.in]: OPEN_STATUSES }, assigneeId: { [Op.ne]: null }, incidentId: null },
        group: ['assigneeId'],
        raw: true,
      }) as unknown as Promise<{ assigneeId: number; n: number }[]>,
    ]);
    const open = new Map(loads.map((l) => [Number(l.assigneeId), Number(l.n)]));
    return agents.map((a) => ({ ...a, openTickets: open.get(a.id) ?? 0 }));
  }

  /** Active agents with their current open-ticket counts (at most a second old). */
  return function roster(): Promise<RosterMember[]> {
    if (cached && Date.now() - cached.at < TTL_MS) return cached.value;
    const value = load();
    cached = { at: Date.now(), value };
    value.catch(() => {
      cached = null;
    });
    return value;
  };
}

export type Roster = ReturnType<typeof createRoster>;
