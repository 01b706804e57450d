/**
 * Console sign-in with OpenID Connect (Microsoft Entra ID, Okta, Google, Keycloak, …) through openid-client:
 * the authorization-code flow with PKCE, a random state and nonce kept in a short-lived httpOnly cookie, and the
 * ID token verified against the issuer's keys (signature, issuer, audience, expiry, nonce) by the library.
 * The person is matched to an agent in oidc-agents.ts; the session is the console's own (auth.startSession), so
 * CSRF tokens and roles work as with magic links.
 *
 *   GET /console/oidc/login      → 302 to the provider (no state changes here, only the transaction cookie)
 *   GET /console/oidc/callback   ← the provider's redirect; PUBLIC_URL/console/oidc/callback is the redirect URI
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as client from 'openid-client';
import type { OidcConfig } from './oidc-agents.js';
import type { Agents } from '../agents/agents.js';
import type { Logger } from '../log.js';
import type { ConsoleAuth } from './auth.js';
import { html } from '../http/html.js';
import { page } from './html.js';
import { matchAgent, type Claims } from './oidc-agents.js';

const TX_COOKIE = 'hd_oidc_tx';
/** Holds the ID token for the provider's end-session request (id_token_hint) and marks an OIDC session. */
export const HINT_COOKIE = 'hd_oidc_hint';
const TX_SECONDS = 600;

/** The relying party: discovery on first use (the helpdesk starts while the provider is down), then cached. */
export function createOidcClient(cfg: OidcConfig, deps: { publicUrl: string; log: Logger }) {
  let discovered: Promise<client.Configuration> | null = null;
  const redirectUri = `${deps.publicUrl}/console/oidc/callback`;
  function configuration() {
    discovered ??= client
      .discovery(
        new URL(cfg.issuer),
        cfg.clientId,
        { client_secret: cfg.clientSecret, redirect_uris: [redirectUri] },
        // client_secret_basic: the method RFC 6749 makes every provider support.
        cfg.clientSecret ? client.ClientSecretBasic(cfg.clientSecret) : client.None(),
        {
          timeout: 10,
          // config.ts allows http:// issuers only on loopback (tests).
          execute: new URL(cfg.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
        },
      )
      .catch((err) => {
        discovered = null; // try again on the next sign-in
        deps.log.warn({ issuer: cfg.issuer, err: (err as Error).message }, 'oidc discovery failed');
        throw err;
      });
    return discovered;
  }
  return { cfg, redirectUri, configuration, publicUrl: deps.publicUrl };
}

export type OidcClient = ReturnType<typeof createOidcClient>;

export interface OidcDeps {
  oidc: OidcClient;
  auth: ConsoleAuth;
  agents: Agents;
  log: Logger;
}

/**
 * Where the browser goes after the local session ended: the provider's end-session endpoint when it has one
 * (RP-initiated logout), with the ID token as hint and the sign-in page as the way back.
 */
export async function endSessionUrl(oidc: OidcClient, c: Context): Promise<string | null> {
  const hint = getCookie(c, HINT_COOKIE);
  if (!hint) return null; // not an OIDC session
  deleteCookie(c, HINT_COOKIE, { path: '/console' });
  const config = await oidc.configuration().catch(() => null);
  if (!config?.serverMetadata().end_session_endpoint) return null;
  return client
    .buildEndSessionUrl(config, {
      id_token_hint: hint,
      post_logout_redirect_uri: `${oidc.publicUrl}/console/login?m=out`,
    })
    .toString();
}

/** The /console/oidc routes. */
export function oidcRoutes(d: OidcDeps) {
  const app = new Hono();
  const refused = (c: Context, text: string, status: 400 | 403 | 502 = 403) =>
    page(
      c,
      html`<h1>Sign-in refused</h1><p>${text}</p><p>If you think this is wrong, ask an IT admin.</p>
      <p><a href="/console/login">Back to sign-in</a></p>`,
      { title: 'Sign-in refused', status },
    );

  app.get('/login', async (c) => {
    let config: client.Configuration;
    try {
      config = await d.oidc.configuration();
    } catch {
      return refused(c, 'The identity provider cannot be reached right now. Please try again in a minute.', 502);
    }
    const verifier = client.randomPKCECodeVerifier();
    const tx = { s: client.randomState(), n: client.randomNonce(), v: verifier };
    setCookie(c, TX_COOKIE, Buffer.from(JSON.stringify(tx)).toString('base64url'), {
      path: '/console/oidc',
      httpOnly: true,
      // Lax: the provider's redirect back is a top-level GET, which carries Lax cookies.
      sameSite: 'Lax',
      secure: d.auth.secure,
      maxAge: TX_SECONDS,
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: d.oidc.redirectUri,
      scope: d.oidc.cfg.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: tx.s,
      nonce: tx.n,
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect(url.toString(), 302);
  });

  app.get('/callback', async (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    const tx = readTx(getCookie(c, TX_COOKIE));
    deleteCookie(c, TX_COOKIE, { path: '/console/oidc', secure: d.auth.secure });
    if (!tx) return refused(c, 'This sign-in expired or was started in another browser. Please start again.', 400);
    let config: client.Configuration;
    let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    try {
      config = await d.oidc.configuration();
      // The URL the provider redirected to, as the public sees it (behind a proxy the app sees its own address).
      const current = new URL(d.oidc.redirectUri + new URL(c.req.url).search);
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: tx.v,
        expectedState: tx.s,
        expectedNonce: tx.n,
        idTokenExpected: true,
      });
    } catch (err) {
      const e = err as Error & { error?: string; code?: string };
      // openid-client's message is generic; its cause names the check that failed (state, nonce, iss, …).
      const reason = e.cause instanceof Error ? e.cause.message : undefined;
      d.log.warn({ err: e.message, reason, code: e.error ?? e.code }, 'oidc sign-in failed verification');
      return refused(
        c,
        'The sign-in could not be verified (it may have been altered or replayed). Please start again.',
        400,
      );
    }
    let claims: Claims = { ...tokens.claims() };
    const { emailClaim, roleClaim } = d.oidc.cfg;
    // Providers that keep ID tokens small (node-oidc-provider, Okta's org server, some Keycloak set-ups) send the
    // email or the groups only from userinfo; openid-client checks that its subject is the ID token's.
    const missing = claims[emailClaim] === undefined || (roleClaim && claims[roleClaim] === undefined);
    if (missing && config.serverMetadata().userinfo_endpoint) {
      const info = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub)).catch((err) => {
        d.log.warn({ err: (err as Error).message }, 'oidc userinfo failed');
        return null;
      });
      if (info) claims = { ...info, ...claims };
    }
    const match = await matchAgent(d.agents, d.oidc.cfg, claims, d.log);
    if ('refused' in match) {
      d.log.warn({ sub: claims.sub, reason: match.refused }, 'oidc sign-in refused');
      return refused(c, match.email ? `${match.refused} (${match.email})` : match.refused);
    }
    await d.auth.startSession(c, match.agent.id);
    if (tokens.id_token)
      setCookie(c, HINT_COOKIE, tokens.id_token, {
        path: '/console',
        httpOnly: true,
        sameSite: 'Lax',
        secure: d.auth.secure,
      });
    d.log.info({ agentId: match.agent.id, role: match.agent.role }, 'console sign-in (oidc)');
    return c.redirect('/console', 303);
  });

  return app;
}

function readTx(v: string | undefined): { s: string; n: string; v: string } | null {
  if (!v) return null;
  try {
    const tx = JSON.parse(Buffer.from(v, 'base64url').toString('utf8'));
    return typeof tx?.s === 'string' && typeof tx.n === 'string' && typeof tx.v === 'string' ? tx : null;
  } catch {
    return null;
  }
}

/**
 * The page after a local sign-out that continues to the provider's end-session endpoint. A Refresh header, not a
 * redirect: the sign-out is a form POST, and the console's CSP (form-action 'self') stops a form's redirect to
 * another origin.
 */
export function continueToProvider(c: Context, url: string) {
  c.header('Refresh', `0; url=${url}`);
  return page(
    c,
    html`<h1>You are signed out of the console</h1>
    <p><a class="button" href="${url}" autofocus>Also sign out of your company account</a></p>`,
    { title: 'Signed out' },
  );
}
