/** MailTransport: SMTP through nodemailer, or the dev outbox that keeps mail viewable at /dev/outbox. */
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { OAuthTokenError, type TokenProvider } from '../oauth/tokens.js';
import { isLoopbackHost, plaintextPolicy, plaintextRefused } from '../tls.js';

/** DKIM signing of outgoing mail (DKIM_PRIVATE_KEY, DKIM_SELECTOR, DKIM_DOMAIN). */
export interface DkimConfig {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export interface OutgoingEnvelope {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  messageId: string;
  headers: Record<string, string>;
}

export interface MailTransport {
  readonly name: string;
  /** How many sends it takes at once (the SMTP pool's connections); the sender runs that many in parallel. */
  readonly parallel?: number;
  send(mail: OutgoingEnvelope): Promise<void>;
  /** True when the server answers (for /healthz). */
  check(): Promise<boolean>;
  /** Closes the connections a run opened (the sender calls it when a run ends); the next send opens new ones. */
  release?(): void;
  close(): void;
}

function toNodemailer(m: OutgoingEnvelope) {
  const { 'Reply-To': replyTo, 'In-Reply-To': inReplyTo, References: references, ...headers } = m.headers;
  return {
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html ?? undefined,
    messageId: `<${m.messageId}>`,
    replyTo,
    inReplyTo,
    references,
    headers,
  };
}

export interface SmtpTransportOptions {
  /** MAIL_AUTH=oauth2: XOAUTH2 with this provider's tokens (the URL carries the user only). */
  tokens?: TokenProvider | null;
  /** MAIL_ALLOW_PLAINTEXT: without it, smtp:// to a host that is not loopback must upgrade with STARTTLS. */
  allowPlaintext?: boolean;
  /** DKIM_*: nodemailer signs every message. */
  dkim?: DkimConfig | null;
  /** How long check() reuses its answer; /healthz must not sign in to the server on every probe. */
  checkCacheMs?: number;
  /** SMTP connections kept open and used at once (SMTP_CONNECTIONS); hosted relays cap this per mailbox. */
  connections?: number;
  /** Messages per connection before it is replaced (a server may refuse more in one session). */
  messagesPerConnection?: number;
}

/** Turns nodemailer's failures into messages an operator can act on (the code stays for the outbox). */
function explain(err: unknown, host: string, port: number, oauth2: boolean, user: string): unknown {
  const e = err as Error & { code?: string; response?: string };
  if (e.code === 'ETLS' && /STARTTLS/i.test(e.message))
    return Object.assign(plaintextRefused('SMTP', host, port, err), { code: 'ETLS' });
  if (e.code === 'EAUTH' && oauth2) {
    // A failed token request comes back as the same error object, re-coded EAUTH by nodemailer.
    if (err instanceof OAuthTokenError) return err;
    const why = e.response;
    return Object.assign(
      new Error(
        `SMTP server ${host}:${port} did not accept OAuth2 for ${user}` +
          `${why ? ` (${why})` : ''}: check the app's SMTP.SendAsApp / mail.google.com grant and the mailbox`,
        { cause: err },
      ),
      { code: 'EAUTH' },
    );
  }
  return err;
}

/** SMTP transport for SMTP_URL (smtp://user:pass@host:587, smtps:// for implicit TLS). */
export function createSmtpTransport(url: string, o: SmtpTransportOptions = {}): MailTransport {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const host = u.hostname;
  const port = Number(u.port || (secure ? 465 : 587));
  const user = decodeURIComponent(u.username);
  const tls = plaintextPolicy(secure, host, o.allowPlaintext ?? false);
  const tokens = o.tokens ?? null;
  // The token nodemailer holds, so that a refusal renews exactly that one.
  let handedOut: string | undefined;
  const connections = o.connections ?? 4;
  const options = {
    host,
    port,
    secure,
    auth: tokens
      ? {
          type: 'OAuth2',
          user,
          // nodemailer asks again with renew=true when the server refuses the token, then retries once.
          provisionCallback: (_user, renew, done) => {
            (renew ? tokens.renew(handedOut) : tokens.token()).then(
              (token) => {
                handedOut = token;
                done(null, token, tokens.expiresAt());
              },
              (err: Error) => done(err),
            );
          },
        }
      : u.username
        ? { user, pass: decodeURIComponent(u.password) }
        : undefined,
    // A loopback relay (tests, a local MTA) need not upgrade; elsewhere STARTTLS must succeed unless
    // MAIL_ALLOW_PLAINTEXT=true, which leaves it opportunistic.
    ignoreTLS: tls === 'plaintext-ok' && isLoopbackHost(host),
    requireTLS: tls === 'require-starttls',
    dkim: o.dkim ?? undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } satisfies SMTPTransport.Options;
  // Pooled while a run sends: one sign-in (and TLS handshake) per connection instead of per mail, several
  // connections at once. The pool is dropped when the run ends (release), so every burst signs in afresh with
  // the token of that moment, and no idle session is left for the relay to cut.
  let pool: Transporter | null = null;
  const pooled = () =>
    (pool ??= nodemailer.createTransport({
      ...options,
      pool: true,
      maxConnections: connections,
      maxMessages: o.messagesPerConnection ?? 100,
    }));
  const release = () => {
    pool?.close();
    pool = null;
  };
  const verifier = nodemailer.createTransport(options);
  const cacheMs = o.checkCacheMs ?? 30_000;
  let checked: { at: number; up: Promise<boolean> } | null = null;
  return {
    name: 'smtp',
    parallel: connections,
    async send(m) {
      try {
        await pooled().sendMail(toNodemailer(m));
      } catch (err) {
        throw explain(err, host, port, !!tokens, user);
      }
    },
    check() {
      // One sign-in per cacheMs, shared by every probe that arrives meanwhile.
      if (!checked || Date.now() - checked.at > cacheMs)
        checked = {
          at: Date.now(),
          up: verifier.verify().then(
            () => true,
            () => false,
          ),
        };
      return checked.up;
    },
    release,
    close() {
      release();
      verifier.close();
    },
  };
}

/**
 * The dev outbox: with no SMTP_URL, mail is rendered to MIME (so a broken message fails here as it would over
 * SMTP) and left in the outbox table, where /dev/outbox shows it with working links.
 */
export function createDevTransport(): MailTransport {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    name: 'dev-outbox',
    parallel: 4,
    async send(m) {
      await t.sendMail(toNodemailer(m));
    },
    check: async () => true,
    close: () => t.close(),
  };
}
