/**
 * Who else is looking at a ticket. Kept in this process's memory with a short TTL: it is a courtesy hint
 * ("Priya is viewing this ticket"), not a lock, so losing it on restart or not sharing it between several
 * server processes only makes the hint miss someone. The page's script pings every 20 s while it is open.
 */
export const PRESENCE_TTL_MS = 60_000;

export interface Viewer {
  agentId: number;
  name: string;
  at: number;
}

/** Creates the presence map; `now` is injectable for tests. */
export function createPresence(now: () => number = Date.now) {
  const byTicket = new Map<number, Map<number, Viewer>>();

  function prune(ticketId: number) {
    const viewers = byTicket.get(ticketId);
    if (!viewers) return;
    const cutoff = now() - PRESENCE_TTL_MS;
    for (const [id, v] of viewers) if (v.at < cutoff) viewers.delete(id);
    if (!viewers.size) byTicket.delete(ticketId);
  }

  return {
    /** Records that `agent` is viewing the ticket; returns the other agents seen within the TTL. */
    touch(ticketId: number, agent: { id: number; name: string }): Viewer[] {
      prune(ticketId);
      let viewers = byTicket.get(ticketId);
      if (!viewers) {
        viewers = new Map();
        byTicket.set(ticketId, viewers);
      }
      viewers.set(agent.id, { agentId: agent.id, name: agent.name, at: now() });
      return [...viewers.values()].filter((v) => v.agentId !== agent.id);
    },
    /** Forgets an agent on a ticket (they left the page). */
    leave(ticketId: number, agentId: number) {
      byTicket.get(ticketId)?.delete(agentId);
      prune(ticketId);
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
