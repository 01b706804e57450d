/**
 * A real OpenID Connect provider for console sign-in tests: node-oidc-provider on a random port, with the
 * helpdesk as its one client (authorization code + PKCE S256 required, client_secret_basic), a few people with
 * email, email_verified, name and groups claims, and RP-initiated logout. Its issuer is http://localhost:PORT
 * while the helpdesk is http://127.0.0.1:PORT2, so the two are different sites to the browser, as in production.
 * Sign-in uses the provider's development login page (any password); consent is skipped (a first-party app).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { freePort } from './dovecot.js';

export interface Person {
  email: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface OidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People by login name (what the test types on the provider's login page). */
  people: Map<string, Person>;
  /** How many end-session requests the provider received. */
  endSessions(): number;
  stop(): Promise<void>;
}

export async function startOidcProvider(opts: {
  redirectUri: string;
  postLogoutRedirectUri: string;
  people: Record<string, Person>;
}): Promise<OidcProvider> {
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const clientId = 'helpdesk-console';
  const clientSecret = randomBytes(24).toString('hex');
  const people = new Map(Object.entries(opts.people));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let endSessions = 0;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        post_logout_redirect_uris: [opts.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    jwks: { keys: [{ ...(privateKey.export({ format: 'jwk' }) as object), alg: 'RS256', use: 'sig', kid: 'test' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      const p = people.get(sub);
      if (!p) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email_verified: true, ...p }),
      };
    },
    // First-party client: grant the requested scopes without a consent screen.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { Grant } = ctx.oidc.provider;
      const existing = ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (existing) return Grant.find(existing);
      const grant = new Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  });
  provider.on('end_session.success', () => {
    endSessions++;
  });

  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    issuer,
    clientId,
    clientSecret,
    people,
    endSessions: () => endSessions,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
