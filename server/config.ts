/** Configuration: parsed once from the environment with a schema; every bad variable is reported together. */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { integrations, type DkimConfig, type MailAuthConfig, type OidcConfig } from './config-integrations.js';

export type { DkimConfig, MailAuthConfig, OidcConfig };
import { DEMO_EMAIL_DOMAIN, domainOf } from './domain/address.js';

const bool = <D extends boolean | undefined>(def: D) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
    .optional()
    .transform((v): boolean | D => (v === undefined ? def : ['true', '1', 'yes', 'on'].includes(v)));

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

const num = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a number between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

const url = (protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      try {
        const u = new URL(v);
        if (!protocols.includes(u.protocol.replace(/:$/, ''))) throw new Error('protocol');
        return v;
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `must be a URL starting with ${protocols.map((p) => p + '://').join(' or ')}`,
        });
        return z.NEVER;
      }
    });

const list = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  );

/** Comma-separated CIDRs (or single addresses) of the reverse proxies whose X-Forwarded-For is believed. */
const cidrs = list.superRefine((xs, ctx) => {
  for (const x of xs) {
    const ok = x.includes('/') ? ipaddr.isValidCIDR(x) : ipaddr.isValid(x);
    if (!ok) ctx.addIssue({ code: 'custom', message: `"${x}" is not an IP address or CIDR such as 10.0.0.0/8` });
  }
});

/** Comma-separated domains: example.com, *.example.com (subdomains too) or * (any). */
const domains = list.superRefine((xs, ctx) => {
  for (const x of xs)
    if (x !== '*' && !/^(\*\.|\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(x))
      ctx.addIssue({ code: 'custom', message: `"${x}" is not a domain (example.com, *.example.com or *)` });
});

export const schema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: url(['http', 'https']),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z
    .string()
    .default('sqlite:data/helpdesk.sqlite')
    .refine((v) => /^(sqlite:|mysql:\/\/|mariadb:\/\/)/.test(v), 'must start with sqlite: or mysql://'),
  APP_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Unset: on only when no real mail server is configured (a demo must never mix with a company's mail).
  SEED_DEMO: bool(undefined),
  DEV_OUTBOX: bool(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  IMAP_URL: url(['imap', 'imaps']),
  IMAP_PROCESSED_MAILBOX: z.string().min(1).default('Processed'),
  IMAP_FAILED_MAILBOX: z.string().min(1).default('Failed'),
  IMAP_POLL_SECONDS: int(60, 1, 3600),
  SMTP_URL: url(['smtp', 'smtps']),
  // SMTP connections the outbox keeps open and sends over at once; hosted relays cap them per mailbox.
  SMTP_CONNECTIONS: int(4, 1, 50),
  MAIL_FROM: z.string().default('IT Helpdesk <it@helpdesk.localhost>'),
  MAIL_MAX_BYTES: int(25 * 1024 * 1024, 1024),
  // The authserv-id of our own receiving mail server, whose Authentication-Results header we believe.
  MAIL_TRUSTED_AUTHSERV_ID: z
    .string()
    .max(253)
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'must be a host name such as mx.corp.example')
    .optional(),
  REOPEN_WINDOW_DAYS: int(14, 0, 3650),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: url(['http', 'https']),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: int(10_000, 100, 120_000),
  ESCALATION_HOURS: num(24, 0.01, 24 * 365),
  AI_CONFIDENCE_THRESHOLD: num(0.55, 0, 1),
  WIDGET_ORIGINS: list,
  WIDGET_RATE_LIMIT: int(20, 0),
  DEFLECTION_RATE_LIMIT: int(60, 0),
  ALLOWED_REQUESTER_DOMAINS: domains,
  TRUSTED_PROXIES: cidrs,
  WIDGET_CLOSE_DELAY_SECONDS: int(10, 0, 3600),
  LEASE_SECONDS: int(30, 2, 3600),
  INCIDENT_WINDOW_MINUTES: int(30, 1, 24 * 60),
  // 0 turns detection off; one report alone is never a major incident.
  INCIDENT_MIN_TICKETS: int(3, 0, 10_000).refine((n) => n !== 1, 'must be 0 (off) or at least 2'),
  // Mailbox sign-in (OAuth2 for Microsoft 365 / Google), TLS, DKIM, console single sign-on: config-integrations.ts.
  MAIL_AUTH: z.enum(['password', 'oauth2']).default('password'),
  MAIL_ALLOW_PLAINTEXT: bool(false),
  OAUTH_TOKEN_URL: url(['http', 'https']),
  OAUTH_CLIENT_ID: z.string().min(1).optional(),
  OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  OAUTH_SCOPE: z.string().min(1).optional(),
  OAUTH_REFRESH_TOKEN: z.string().min(1).optional(),
  DKIM_PRIVATE_KEY: z.string().min(1).optional(),
  DKIM_SELECTOR: z
    .string()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62})$/, 'must be a DNS label such as helpdesk2026')
    .optional(),
  DKIM_DOMAIN: z
    .string()
    .regex(/^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$/, 'must be a domain such as corp.example')
    .optional(),
  OIDC_ISSUER: url(['http', 'https']),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z.string().default('openid email profile'),
  OIDC_EMAIL_CLAIM: z.string().min(1).default('email'),
  OIDC_ROLE_CLAIM: z.string().min(1).optional(),
  OIDC_ROLES: z.string().optional(),
  CONSOLE_LOGIN: z.enum(['link', 'oidc', 'both']).optional(),
});

/** The parsed variables turned into the shape the rooms use (the type of Config is derived from it). */
const shape = (e: z.output<typeof schema>) => ({
  env: e.NODE_ENV ?? 'development',
  port: e.PORT,
  host: e.HOST,
  publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
  dataDir: e.DATA_DIR,
  databaseUrl: e.DATABASE_URL,
  appSecret: e.APP_SECRET,
  adminApiToken: e.ADMIN_API_TOKEN,
  // Demo history only when no real mail server is configured, unless SEED_DEMO says otherwise.
  seedDemo: e.SEED_DEMO ?? !(e.SMTP_URL || e.IMAP_URL),
  // /dev/outbox without sign-in: only a demo on one machine (DEV_OUTBOX=true and no SMTP_URL).
  devOutboxOpen: e.DEV_OUTBOX && !e.SMTP_URL,
  logLevel: e.LOG_LEVEL,
  imap: {
    url: e.IMAP_URL,
    processedMailbox: e.IMAP_PROCESSED_MAILBOX,
    failedMailbox: e.IMAP_FAILED_MAILBOX,
    pollSeconds: e.IMAP_POLL_SECONDS,
  },
  smtp: { url: e.SMTP_URL, from: e.MAIL_FROM, maxBytes: e.MAIL_MAX_BYTES, connections: e.SMTP_CONNECTIONS },
  reopenWindowDays: e.REOPEN_WINDOW_DAYS,
  openai: {
    apiKey: e.OPENAI_API_KEY,
    baseUrl: e.OPENAI_BASE_URL,
    model: e.OPENAI_MODEL,
    timeoutMs: e.OPENAI_TIMEOUT_MS,
  },
  escalationHours: e.ESCALATION_HOURS,
  aiConfidenceThreshold: e.AI_CONFIDENCE_THRESHOLD,
  widget: {
    origins: e.WIDGET_ORIGINS,
    rateLimit: e.WIDGET_RATE_LIMIT,
    closeDelaySeconds: e.WIDGET_CLOSE_DELAY_SECONDS,
  },
  leaseSeconds: e.LEASE_SECONDS,
  /** Major-incident detection: reports within this many minutes, from at least this many people (0: off). */
  incidents: { windowMinutes: e.INCIDENT_WINDOW_MINUTES, minTickets: e.INCIDENT_MIN_TICKETS },
  /** Authentication-Results from this server are believed (DKIM/DMARC verdicts on inbound mail). */
  trustedAuthservId: e.MAIL_TRUSTED_AUTHSERV_ID,
  /** "This solved it" clicks per network address per hour (0: no limit). */
  deflectionRateLimit: e.DEFLECTION_RATE_LIMIT,
  /** Domains whose addresses may open widget tickets and get automatic mail; ['*'] for any. */
  requesterDomains: requesterDomains(
    e.ALLOWED_REQUESTER_DOMAINS,
    e.MAIL_FROM,
    e.SEED_DEMO ?? !(e.SMTP_URL || e.IMAP_URL),
  ),
  /** Proxies (CIDRs) whose X-Forwarded-For names the client; empty: the socket's peer is the client. */
  trustedProxies: e.TRUSTED_PROXIES,
});

/** The helpdesk's configuration: what the schema and its cross-variable checks produce, derived, never restated. */
export type Config = ReturnType<typeof shape> & ReturnType<typeof integrations>['config'];

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super('Invalid configuration:\n' + problems.map((p) => '  - ' + p).join('\n'));
  }
}

/**
 * ALLOWED_REQUESTER_DOMAINS, or by default the MAIL_FROM domain plus, while demo data is seeded, the demo's own
 * domain: the widget must not send mail from the IT sender to any address a stranger types (a phishing relay).
 */
function requesterDomains(given: string[], mailFrom: string, demo: boolean): string[] {
  if (given.length) return given.map((d) => d.toLowerCase());
  const own = domainOf(mailFrom);
  return [...new Set([...(own ? [own] : []), ...(demo ? [DEMO_EMAIL_DOMAIN] : [])])];
}

/** Parses the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(clean);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map(
        (i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(clean[String(i.path[0])] ?? null)})`,
      ),
    );
  }
  const more = integrations(r.data);
  if (more.problems.length) throw new ConfigError(more.problems);
  return { ...more.config, ...shape(r.data) };
}
