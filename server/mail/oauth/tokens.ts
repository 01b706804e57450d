/**
 * OAuth2 access tokens for the mailbox (IMAP XOAUTH2 and SMTP XOAUTH2), from the company's token endpoint with the
 * client-credentials grant (Microsoft 365 app-only access) or the refresh-token grant (Google, delegated Microsoft
 * 365). openid-client makes the token calls: it does client authentication, error responses and the form
 * encoding the way both providers expect, and it is already the console's OpenID Connect library.
 *
 * A token is cached until shortly before it expires; concurrent callers share one request; renew() is for the
 * "the server refused this token" path (fetch a new one, once). When the token server is down, a token that
 * has not expired yet is still handed out. Secrets and tokens never reach a log line or an error message.
 */
import * as oidc from 'openid-client';
import type { Logger } from '../../log.js';
import { isLoopbackHost } from '../tls.js';

/** The OAuth2 client of the mailbox (MAIL_AUTH=oauth2). */
export interface OAuthConfig {
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  scope?: string;
  /** Set: the refresh-token grant (Google, delegated Microsoft 365); unset: client credentials (app-only). */
  refreshToken?: string;
}

export interface TokenStatus {
  auth: 'oauth2';
  grant: 'client_credentials' | 'refresh_token';
  /** Seconds until the cached token expires (negative: expired), null before the first token. */
  tokenExpiresIn: number | null;
  /** The last token request's failure, null once a request succeeded again. */
  error: string | null;
}

export interface TokenProvider {
  /** A valid access token (cached, or fetched now). */
  token(): Promise<string>;
  /**
   * For when a server refused `rejected`: fetches a new token, unless another caller (IMAP and SMTP share the
   * provider) has already replaced that one with a fresh token.
   */
  renew(rejected?: string): Promise<string>;
  /** Expiry time (ms since epoch) of the cached token, 0 without one. */
  expiresAt(): number;
  status(): TokenStatus;
}

/** A token request that failed; the message names the endpoint and the reason, never a secret. */
export class OAuthTokenError extends Error {
  constructor(
    message: string,
    readonly reason: 'refused' | 'unreachable' | 'invalid_response',
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
  }
}

const DEFAULT_LIFETIME_S = 3600;

/** Why a token request failed, in words an operator can act on. */
function describe(err: unknown, url: string): OAuthTokenError {
  if (err instanceof oidc.ResponseBodyError) {
    const what = err.error_description ? `${err.error} (${err.error_description})` : err.error;
    return new OAuthTokenError(`OAuth2 token endpoint ${url} refused the request: ${what}`, 'refused');
  }
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'ECONNREFUSED' || code === 'ENOTFOUND')
    return new OAuthTokenError(`OAuth2 token endpoint ${url} is unreachable (${code ?? e.name})`, 'unreachable');
  if (err instanceof TypeError && /fetch failed/.test(e.message ?? ''))
    return new OAuthTokenError(
      `OAuth2 token endpoint ${url} is unreachable (${code ?? 'network error'})`,
      'unreachable',
    );
  return new OAuthTokenError(
    `OAuth2 token endpoint ${url} answered unexpectedly: ${e.cause?.message ?? e.message ?? String(err)}`,
    'invalid_response',
  );
}

/** Builds the token provider for OAUTH_* (config.mailAuth.oauth). */
export function createTokenProvider(
  cfg: OAuthConfig,
  deps: { log: Logger; clock?: () => Date; allowPlaintext?: boolean },
): TokenProvider {
  const now = () => (deps.clock ? deps.clock().getTime() : Date.now());
  const url = new URL(cfg.tokenUrl);
  const server = { issuer: url.origin, token_endpoint: cfg.tokenUrl };
  const client = cfg.clientSecret
    ? new oidc.Configuration(server, cfg.clientId, cfg.clientSecret)
    : new oidc.Configuration(server, cfg.clientId, undefined, oidc.None());
  // config.ts already refused http:// beyond loopback unless MAIL_ALLOW_PLAINTEXT=true.
  if (url.protocol === 'http:' && (isLoopbackHost(url.hostname) || deps.allowPlaintext))
    oidc.allowInsecureRequests(client);
  client.timeout = 10;
  const grant = cfg.refreshToken ? 'refresh_token' : 'client_credentials';
  let refreshToken = cfg.refreshToken;
  let cached: { token: string; expiresAt: number; margin: number } | null = null;
  let inflight: Promise<string> | null = null;
  let lastError: string | null = null;

  async function request(): Promise<string> {
    const params: Record<string, string> = cfg.scope ? { scope: cfg.scope } : {};
    let res: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      res = refreshToken
        ? await oidc.refreshTokenGrant(client, refreshToken, params)
        : await oidc.clientCredentialsGrant(client, params);
    } catch (err) {
      const e = describe(err, cfg.tokenUrl);
      lastError = e.message;
      deps.log.warn({ grant, reason: e.reason, err: e.message }, 'oauth2 token request failed');
      throw e;
    }
    const lifetimeMs = (res.expiresIn() ?? DEFAULT_LIFETIME_S) * 1000;
    // Renew a minute early, or a fifth of the lifetime for short-lived tokens: a token never dies in flight.
    cached = { token: res.access_token, expiresAt: now() + lifetimeMs, margin: Math.min(60_000, lifetimeMs / 5) };
    if (res.refresh_token && res.refresh_token !== refreshToken) {
      // Rotation (Microsoft does it): the new one is used from now on; the configured one stays valid until
      // its own expiry, so a restart still signs in.
      refreshToken = res.refresh_token;
      deps.log.info('oauth2 refresh token rotated by the token endpoint (kept in memory)');
    }
    lastError = null;
    deps.log.info({ grant, expiresInS: Math.round(lifetimeMs / 1000) }, 'oauth2 access token obtained');
    return res.access_token;
  }

  function fetchOnce(): Promise<string> {
    inflight ??= request().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  return {
    async token() {
      const c = cached;
      if (c && now() < c.expiresAt - c.margin) return c.token;
      try {
        return await fetchOnce();
      } catch (err) {
        // The token server is down but the token still works for a while: keep the mailbox connected.
        if (c && now() < c.expiresAt && (err as OAuthTokenError).reason === 'unreachable') return c.token;
        throw err;
      }
    },
    async renew(rejected) {
      const c = cached;
      if (rejected && c && c.token !== rejected && now() < c.expiresAt - c.margin) return c.token;
      cached = null;
      return fetchOnce();
    },
    expiresAt: () => cached?.expiresAt ?? 0,
    status: () => ({
      auth: 'oauth2',
      grant,
      tokenExpiresIn: cached ? Math.round((cached.expiresAt - now()) / 1000) : null,
      error: lastError,
    }),
  };
}
