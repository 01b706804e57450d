/**
 * The parts of the configuration that connect the helpdesk to a company's mail and identity provider: OAuth2
 * mailbox sign-in, the plaintext rule, DKIM, console single sign-on. They are checked across variables (a grant
 * needs its secret, OIDC needs a client), so loadConfig() runs these checks after the schema and reports every
 * problem together with the schema's.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Role } from './agents/agents.js';
import type { OidcConfig } from './console/oidc-agents.js';
import type { OAuthConfig } from './mail/oauth/tokens.js';
import type { DkimConfig } from './mail/outbound/transport.js';
import { isLoopbackHost } from './mail/tls.js';

export type { DkimConfig, OAuthConfig, OidcConfig };
/** The variables these checks read, as config.ts's schema produces them (stated here: config.ts imports this file). */
interface Env {
  MAIL_FROM: string;
  SMTP_URL?: string;
  IMAP_URL?: string;
  MAIL_AUTH: 'password' | 'oauth2';
  MAIL_ALLOW_PLAINTEXT: boolean;
  OAUTH_TOKEN_URL?: string;
  OAUTH_CLIENT_ID?: string;
  OAUTH_CLIENT_SECRET?: string;
  OAUTH_SCOPE?: string;
  OAUTH_REFRESH_TOKEN?: string;
  DKIM_PRIVATE_KEY?: string;
  DKIM_SELECTOR?: string;
  DKIM_DOMAIN?: string;
  OIDC_ISSUER?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OIDC_SCOPES: string;
  OIDC_EMAIL_CLAIM: string;
  OIDC_ROLE_CLAIM?: string;
  OIDC_ROLES?: string;
  CONSOLE_LOGIN?: 'link' | 'oidc' | 'both';
}

export interface MailAuthConfig {
  kind: 'password' | 'oauth2';
  oauth: OAuthConfig | null;
  /** MAIL_ALLOW_PLAINTEXT: IMAP and SMTP without TLS to a host that is not loopback. */
  allowPlaintext: boolean;
}

const ROLES: readonly Role[] = ['admin', 'manager', 'agent'];

/** The DKIM key as PEM: the variable holds the PEM itself (newlines may be written as \n) or a file path. */
function dkimKey(value: string, problems: string[]): string | null {
  let pem = value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : null;
  if (pem === null) {
    if (!existsSync(value)) {
      problems.push('DKIM_PRIVATE_KEY: must be a PEM private key or the path of a file holding one (file not found)');
      return null;
    }
    pem = readFileSync(value, 'utf8');
  }
  try {
    createPrivateKey(pem);
    return pem;
  } catch {
    problems.push('DKIM_PRIVATE_KEY: is not a readable PEM private key (RSA or Ed25519)');
    return null;
  }
}

/** `admin:IT-Admins,manager:IT-Managers,agent:IT-Support` → pairs; unknown roles are problems. */
function roleMap(value: string | undefined, problems: string[]) {
  const out: { role: Role; group: string }[] = [];
  for (const part of (value ?? '').split(',').map((s) => s.trim())) {
    if (!part) continue;
    const i = part.indexOf(':');
    const role = part.slice(0, i).trim() as Role;
    const group = part.slice(i + 1).trim();
    if (i < 1 || !ROLES.includes(role) || !group) {
      problems.push(`OIDC_ROLES: "${part}" must be role:group with role one of ${ROLES.join(', ')}`);
      continue;
    }
    out.push({ role, group });
  }
  return out.sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role));
}

const hostOf = (u: string | undefined) => (u ? new URL(u).hostname : '');

/** Cross-variable checks and the integration parts of Config. */
export function integrations(e: Env) {
  const problems: string[] = [];
  let oauth: OAuthConfig | null = null;
  if (e.MAIL_AUTH === 'oauth2') {
    if (!e.OAUTH_TOKEN_URL) problems.push('OAUTH_TOKEN_URL: required when MAIL_AUTH=oauth2');
    if (!e.OAUTH_CLIENT_ID) problems.push('OAUTH_CLIENT_ID: required when MAIL_AUTH=oauth2');
    if (!e.OAUTH_REFRESH_TOKEN && !e.OAUTH_CLIENT_SECRET)
      problems.push('OAUTH_CLIENT_SECRET: required for the client-credentials grant (or set OAUTH_REFRESH_TOKEN)');
    for (const [name, value] of [
      ['IMAP_URL', e.IMAP_URL],
      ['SMTP_URL', e.SMTP_URL],
    ] as const) {
      if (value && !new URL(value).username) problems.push(`${name}: needs the mailbox user when MAIL_AUTH=oauth2`);
      if (value && new URL(value).password)
        problems.push(`${name}: holds a password, but MAIL_AUTH=oauth2 signs in with a token (remove it)`);
    }
    // The client secret and refresh token travel to the token endpoint: TLS unless it is on this machine.
    if (e.OAUTH_TOKEN_URL?.startsWith('http:') && !isLoopbackHost(hostOf(e.OAUTH_TOKEN_URL)) && !e.MAIL_ALLOW_PLAINTEXT)
      problems.push('OAUTH_TOKEN_URL: must be https:// (http:// only on loopback or with MAIL_ALLOW_PLAINTEXT=true)');
    if (e.OAUTH_TOKEN_URL && e.OAUTH_CLIENT_ID)
      oauth = {
        tokenUrl: e.OAUTH_TOKEN_URL,
        clientId: e.OAUTH_CLIENT_ID,
        clientSecret: e.OAUTH_CLIENT_SECRET,
        scope: e.OAUTH_SCOPE,
        refreshToken: e.OAUTH_REFRESH_TOKEN,
      };
  }

  let dkim: DkimConfig | null = null;
  if (e.DKIM_PRIVATE_KEY || e.DKIM_SELECTOR) {
    if (!e.DKIM_PRIVATE_KEY) problems.push('DKIM_PRIVATE_KEY: required when DKIM_SELECTOR is set');
    if (!e.DKIM_SELECTOR) problems.push('DKIM_SELECTOR: required when DKIM_PRIVATE_KEY is set');
    const fromDomain = /@([^>\s]+)>?\s*$/.exec(e.MAIL_FROM)?.[1]?.toLowerCase();
    const domainName = e.DKIM_DOMAIN ?? fromDomain;
    if (!domainName) problems.push('DKIM_DOMAIN: required when MAIL_FROM has no domain');
    const key = e.DKIM_PRIVATE_KEY ? dkimKey(e.DKIM_PRIVATE_KEY, problems) : null;
    if (key && e.DKIM_SELECTOR && domainName) dkim = { domainName, keySelector: e.DKIM_SELECTOR, privateKey: key };
  }

  let oidc: OidcConfig | null = null;
  const roles = roleMap(e.OIDC_ROLES, problems);
  if (e.OIDC_ISSUER) {
    if (!e.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
    if (e.OIDC_ISSUER.startsWith('http:') && !isLoopbackHost(hostOf(e.OIDC_ISSUER)))
      problems.push('OIDC_ISSUER: must be https:// (http:// only on loopback, for tests)');
    if (roles.length && !e.OIDC_ROLE_CLAIM) problems.push('OIDC_ROLE_CLAIM: required when OIDC_ROLES is set');
    if (e.OIDC_ROLE_CLAIM && !roles.length) problems.push('OIDC_ROLES: required when OIDC_ROLE_CLAIM is set');
    if (e.OIDC_CLIENT_ID)
      oidc = {
        issuer: e.OIDC_ISSUER,
        clientId: e.OIDC_CLIENT_ID,
        clientSecret: e.OIDC_CLIENT_SECRET,
        scopes: e.OIDC_SCOPES,
        emailClaim: e.OIDC_EMAIL_CLAIM,
        roleClaim: e.OIDC_ROLE_CLAIM ?? null,
        roles,
      };
  }
  const consoleLogin = e.CONSOLE_LOGIN ?? (e.OIDC_ISSUER ? 'both' : 'link');
  if (consoleLogin !== 'link' && !e.OIDC_ISSUER) problems.push(`CONSOLE_LOGIN: "${consoleLogin}" needs OIDC_ISSUER`);

  return {
    problems,
    config: {
      mailAuth: { kind: e.MAIL_AUTH, oauth, allowPlaintext: e.MAIL_ALLOW_PLAINTEXT } satisfies MailAuthConfig,
      dkim,
      oidc,
      consoleLogin,
    },
  };
}
