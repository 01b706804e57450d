/**
 * Who an OpenID Connect sign-in is: the verified email (or OIDC_EMAIL_CLAIM) matched to a human agent, and the
 * console role from the agents table or, when OIDC_ROLE_CLAIM and OIDC_ROLES are set, from the groups the
 * identity provider asserts. A mapped group admits someone without an agent row (the row is created, with no
 * skills, so routing never assigns them tickets until an admin adds some); a deactivated agent stays out.
 */
import type { AgentInfo, Agents } from '../agents/agents.js';
import type { Role } from '../agents/agents.js';
import type { Logger } from '../log.js';

/** Single sign-on settings (OIDC_*). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string;
  /** The ID-token claim matched against agents' email addresses. */
  emailClaim: string;
  /** The claim holding groups, and which group grants which role (first match in admin, manager, agent order). */
  roleClaim: string | null;
  roles: { role: Role; group: string }[];
}

export type Claims = Record<string, unknown>;
export type Match = { agent: AgentInfo } | { refused: string; email?: string };

/** The groups in a claim: an array of strings, or one string with several separated by commas or spaces. */
function groupsOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string');
  if (typeof v === 'string') return v.split(/[,\s]+/).filter(Boolean);
  return [];
}

/** The highest role any of the person's groups maps to, or null. */
export function mappedRole(cfg: OidcConfig, claims: Claims): Role | null {
  if (!cfg.roleClaim) return null;
  const groups = new Set(groupsOf(claims[cfg.roleClaim]));
  return cfg.roles.find((r) => groups.has(r.group))?.role ?? null;
}

/** The email that identifies the person, or a reason why there is none we can trust. */
export function identityEmail(cfg: OidcConfig, claims: Claims): { email: string } | { refused: string } {
  const v = claims[cfg.emailClaim];
  if (typeof v !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(v.trim()))
    return { refused: `Your identity provider did not send an email address (claim "${cfg.emailClaim}").` };
  // The standard email claim can be self-asserted at some providers: only a verified one identifies an agent.
  // A configured claim (e.g. Entra ID's preferred_username, the sign-in name) is the provider's own identifier.
  if (cfg.emailClaim === 'email' && claims.email_verified !== true)
    return { refused: 'Your identity provider has not verified this email address.' };
  return { email: v.trim().toLowerCase() };
}

/** Finds (or, for a mapped group, creates) the agent for a verified sign-in, with its role brought up to date. */
export async function matchAgent(agents: Agents, cfg: OidcConfig, claims: Claims, log: Logger): Promise<Match> {
  const id = identityEmail(cfg, claims);
  if ('refused' in id) return id;
  const { email } = id;
  const role = mappedRole(cfg, claims);
  const agent = await agents.person(email);
  if (agent && !agent.active) return { refused: 'Your IT team account is deactivated.', email };
  if (!agent && !role)
    return { refused: 'There is no IT team account for this address, and none of your groups grants one.', email };
  if (!agent) {
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : email;
    const created = await agents.addPerson({ name: name.slice(0, 200), email, role: role! });
    // A concurrent first sign-in of the same person created the row a moment ago: use it.
    const row = created === 'taken' ? await agents.person(email) : created;
    if (!row) return { refused: 'Your IT team account could not be created. Please try again.', email };
    log.info({ agentId: row.id, role }, 'agent created from an oidc group');
    return { agent: row };
  }
  if (role && agent.role !== role) {
    log.info({ agentId: agent.id, from: agent.role, to: role }, 'agent role updated from oidc groups');
    await agents.setRole(agent.id, role);
    return { agent: { ...agent, role } };
  }
  return { agent };
}
