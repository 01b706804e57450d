/**
 * A small OAuth 2.0 authorization server for mailbox tests, on a random loopback port: the token endpoint
 * (client-credentials and refresh-token grants, client authentication by HTTP Basic or form fields, RFC 6749 error
 * bodies) and RFC 7662 introspection, which Dovecot's oauth2 passdb and the SMTP test server ask. Tokens live
 * `lifetimeS` seconds. Tests revoke everything issued, refuse new grants, or take the server down.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { freePort } from './dovecot.js';

export interface OAuthServer {
  port: number;
  /** http://127.0.0.1:PORT/token */
  tokenUrl: string;
  /** http://127.0.0.1:PORT/introspect */
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  /** A refresh token the server accepts (refresh-token grant). */
  refreshToken: string;
  /** Lifetime of newly issued access tokens, in seconds; tests may change it. */
  lifetimeS: number;
  /** Issue a new refresh token with every refresh (as Microsoft does); the old one keeps working. */
  rotateRefreshTokens: boolean;
  /** Refresh tokens handed out by rotation, in order. */
  rotated: string[];
  /** Every token request in order: the grant, the refresh token presented, whether it was granted. */
  requests: { grant: string; ok: boolean; at: number; refreshToken?: string }[];
  /** Every access token issued, in order. */
  issued: string[];
  /** Whether `token` is active now (issued, not expired, not revoked). */
  active(token: string): boolean;
  /** The mailbox user a token was issued for is always this one. */
  username: string;
  /** Revokes every token issued so far and refuses new grants (invalid_grant / invalid_client) until restore(). */
  revoke(): void;
  /** Revokes every token issued so far but keeps granting new ones (a token revoked before its expiry). */
  revokeTokens(): void;
  restore(): void;
  /** Closes the listener (connections refused) until up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOAuthServer(
  opts: { username?: string; lifetimeS?: number; clientId?: string } = {},
): Promise<OAuthServer> {
  const port = await freePort();
  const tokens = new Map<string, { exp: number; revoked: boolean }>();
  const refreshTokens = new Set<string>();
  const first = `rt-${randomBytes(16).toString('hex')}`;
  refreshTokens.add(first);
  let refusing = false;
  let server: http.Server | null = null;

  const s: OAuthServer = {
    port,
    tokenUrl: `http://127.0.0.1:${port}/token`,
    introspectionUrl: `http://127.0.0.1:${port}/introspect`,
    clientId: opts.clientId ?? 'helpdesk-mail',
    clientSecret: `cs-${randomBytes(16).toString('hex')}`,
    refreshToken: first,
    lifetimeS: opts.lifetimeS ?? 3600,
    rotateRefreshTokens: false,
    rotated: [],
    requests: [],
    issued: [],
    username: opts.username ?? 'helpdesk@example.test',
    active(token) {
      const t = tokens.get(token);
      return !!t && !t.revoked && Date.now() < t.exp;
    },
    revoke() {
      for (const t of tokens.values()) t.revoked = true;
      refusing = true;
    },
    revokeTokens() {
      for (const t of tokens.values()) t.revoked = true;
    },
    restore() {
      refusing = false;
    },
    down: () => close(),
    up: () => listen(),
    stop: () => close(),
  };

  function send(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  /** Client authentication: HTTP Basic (client_secret_basic) or client_id/client_secret in the form. */
  function clientOk(req: http.IncomingMessage, form: URLSearchParams): boolean {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    if (basic) {
      const [u, p] = Buffer.from(basic[1]!, 'base64').toString().split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    // A public client may use its refresh token without a secret.
    return id === s.clientId && (secret === s.clientSecret || (!secret && form.get('grant_type') === 'refresh_token'));
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string) {
    const form = new URLSearchParams(body);
    if (req.method === 'POST' && req.url === '/introspect') {
      // Dovecot posts token=…; the answer names the mailbox user the token is good for.
      const token = form.get('token') ?? '';
      return send(
        res,
        200,
        s.active(token) ? { active: true, username: s.username, scope: 'mail' } : { active: false },
      );
    }
    if (req.method !== 'POST' || req.url !== '/token') return send(res, 404, { error: 'not_found' });
    const grant = form.get('grant_type') ?? '';
    const presented = form.get('refresh_token') ?? undefined;
    const refuse = (status: number, error: string, description: string) => {
      s.requests.push({ grant, ok: false, at: Date.now(), refreshToken: presented });
      send(res, status, { error, error_description: description });
    };
    if (!clientOk(req, form)) return refuse(401, 'invalid_client', 'Client authentication failed.');
    if (grant === 'refresh_token') {
      if (refusing || !refreshTokens.has(form.get('refresh_token') ?? ''))
        return refuse(400, 'invalid_grant', 'The refresh token has been revoked.');
    } else if (grant === 'client_credentials') {
      if (refusing) return refuse(400, 'invalid_client', 'The application has been disabled.');
    } else return refuse(400, 'unsupported_grant_type', `Grant ${grant} is not supported.`);
    const access = `at-${randomBytes(18).toString('hex')}`;
    tokens.set(access, { exp: Date.now() + s.lifetimeS * 1000, revoked: false });
    s.issued.push(access);
    s.requests.push({ grant, ok: true, at: Date.now(), refreshToken: presented });
    const out: Record<string, unknown> = { access_token: access, token_type: 'Bearer', expires_in: s.lifetimeS };
    if (grant === 'refresh_token' && s.rotateRefreshTokens) {
      const next = `rt-${randomBytes(16).toString('hex')}`;
      refreshTokens.add(next);
      s.rotated.push(next);
      out.refresh_token = next;
    }
    send(res, 200, out);
  }

  async function listen() {
    if (server) return;
    const srv = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => handle(req, res, body));
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    server = srv;
  }

  async function close() {
    const srv = server;
    server = null;
    if (!srv) return;
    srv.closeAllConnections();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }

  await listen();
  return s;
}
