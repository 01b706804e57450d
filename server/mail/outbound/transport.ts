/** MailTransport: SMTP through nodemailer, or the dev outbox that keeps mail viewable at /dev/outbox. */
import nodemailer from 'nodemailer';

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
  send(mail: OutgoingEnvelope): Promise<void>;
  /** True when the server answers (for /healthz). */
  check(): Promise<boolean>;
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

/** SMTP transport for SMTP_URL (smtp://user:pass@host:587, smtps:// for implicit TLS). */
export function createSmtpTransport(url: string): MailTransport {
  const u = new URL(url);
  const t = nodemailer.createTransport({
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 587)),
    secure: u.protocol === 'smtps:',
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    // Plain smtp:// on a loopback relay (tests, a local MTA) need not upgrade; elsewhere STARTTLS is used when offered.
    ignoreTLS: ['127.0.0.1', 'localhost', '::1'].includes(u.hostname),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    name: 'smtp',
    async send(m) {
      await t.sendMail(toNodemailer(m));
    },
    async check() {
      try {
        return await t.verify();
      } catch {
        return false;
      }
    },
    close: () => t.close(),
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
    async send(m) {
      await t.sendMail(toNodemailer(m));
    },
    check: async () => true,
    close: () => t.close(),
  };
}
