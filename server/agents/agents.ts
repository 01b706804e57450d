/**
 * The agents table's owner: the IT team members (people) and the AI agents, one per category. Other rooms read
 * and change agents only through this: triage and routing read the roster, the console's admin page edits it,
 * intake asks whether a sender is an IT team member.
 */
import { Op, UniqueConstraintError } from 'sequelize';
import type { Category } from '../domain/vocabulary.js';
import type { Agent, Models } from '../db/models.js';

export type Role = Agent['role'];
export const ROLES: readonly Role[] = ['agent', 'manager', 'admin'];

/** An agent as other rooms see it (never a model instance). */
export interface AgentInfo {
  id: number;
  name: string;
  email: string;
  kind: 'ai' | 'human';
  category: string | null;
  skills: string[];
  role: Role;
  active: boolean;
}

/** The seed roster format (seeds/agents.json). */
export interface RosterFile {
  devCenters: string[];
  ai: { name: string; email: string; category: Category }[];
  humans: { name: string; email: string; role: Role; skills: string[] }[];
}

const info = (a: Agent): AgentInfo => ({
  id: a.id,
  name: a.name,
  email: a.email,
  kind: a.kind,
  category: a.category,
  skills: a.skills,
  role: a.role,
  active: a.active,
});

export function createAgents(deps: { models: Pick<Models, 'Agent'> }) {
  const { Agent } = deps.models;
  const one = async (where: Record<string, unknown>) => {
    const a = await Agent.findOne({ where });
    return a ? info(a) : null;
  };

  return {
    /** Every active agent, people and AI. */
    async active(): Promise<AgentInfo[]> {
      return (await Agent.findAll({ where: { active: true }, order: [['id', 'ASC']] })).map(info);
    },
    /** Everyone, active or not, by name (console pickers). */
    async all(): Promise<AgentInfo[]> {
      return (await Agent.findAll({ order: [['name', 'ASC']] })).map(info);
    },
    /** IT team members (people), active or not, by name (the admin roster page). */
    async people(): Promise<AgentInfo[]> {
      return (await Agent.findAll({ where: { kind: 'human' }, order: [['name', 'ASC']] })).map(info);
    },
    byId: (id: number) => one({ id }),
    /** An active IT team member (a person) with this address, or null. */
    activePerson: (email: string) => one({ email: email.trim().toLowerCase(), kind: 'human', active: true }),
    /** The IT team member (a person) with this address, active or not (single sign-on decides what to do). */
    person: (email: string) => one({ email: email.trim().toLowerCase(), kind: 'human' }),
    /** Sets a person's console role (single sign-on keeps it in step with the identity provider's groups). */
    async setRole(id: number, role: Role) {
      await Agent.update({ role }, { where: { id, kind: 'human' } });
    },
    /** An active agent by id, email or exact name. */
    find(who: number | string) {
      const byId = typeof who === 'number' || /^\d+$/.test(String(who));
      const where = byId
        ? { id: Number(who) }
        : { [Op.or]: [{ email: String(who).toLowerCase() }, { name: String(who) }] };
      return one({ ...where, active: true });
    },
    /** Active managers and admins (escalation notices when nobody with the skill is free). */
    async managers(): Promise<AgentInfo[]> {
      const rows = await Agent.findAll({ where: { role: { [Op.in]: ['manager', 'admin'] }, active: true } });
      return rows.map(info);
    },
    /** Adds an IT team member; 'taken' when the address already has an agent. */
    async addPerson(p: { name: string; email: string; role: Role }): Promise<AgentInfo | 'taken'> {
      try {
        const email = p.email.toLowerCase();
        return info(
          await Agent.create({ name: p.name, email, kind: 'human', category: null, skills: [], role: p.role }),
        );
      } catch (err) {
        if (err instanceof UniqueConstraintError) return 'taken';
        throw err;
      }
    },
    /** Changes a person's role, active flag and skills; null when there is no such person. */
    async updatePerson(id: number, patch: { role: Role; active: boolean; skills: string[] }) {
      const a = await Agent.findOne({ where: { id, kind: 'human' } });
      if (!a) return null;
      return info(await a.update(patch));
    },
    /** Creates the agents of the seed roster that are missing; safe at every start. */
    async seed(roster: RosterFile): Promise<number> {
      const existing = new Set((await Agent.findAll({ attributes: ['email'] })).map((a) => a.email));
      const rows = [
        ...roster.ai.map((a) => ({
          name: a.name,
          email: a.email,
          kind: 'ai' as const,
          category: a.category,
          skills: [a.category],
          role: 'agent' as const,
        })),
        ...roster.humans.map((h) => ({
          name: h.name,
          email: h.email,
          kind: 'human' as const,
          category: null,
          skills: h.skills,
          role: h.role,
        })),
      ].filter((r) => !existing.has(r.email));
      if (rows.length) await Agent.bulkCreate(rows);
      return rows.length;
    },
  };
}

export type Agents = ReturnType<typeof createAgents>;
