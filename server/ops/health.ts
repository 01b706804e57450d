/** GET /healthz's answer: the database, the IMAP reader, the mail transport and the outbox depth. */
import type { Sequelize } from 'sequelize';
import { databaseUp } from '../db/database.js';
import type { MailSource } from '../mail/inbound/source.js';
import type { Outbox } from '../mail/outbound/outbox.js';
import type { MailTransport } from '../mail/outbound/transport.js';

export function createHealth(deps: {
  sequelize: Sequelize;
  imap: MailSource | null;
  transport: MailTransport;
  outbox: Outbox;
  /** 'oauth2' when SMTP signs in with a token (MAIL_AUTH=oauth2). */
  smtpAuth: 'oauth2' | null;
}) {
  return async () => {
    const db = await databaseUp(deps.sequelize);
    return {
      ok: db,
      database: db ? 'up' : 'down',
      imap: deps.imap ? deps.imap.status() : { state: 'off' },
      smtp: {
        transport: deps.transport.name,
        up: await deps.transport.check(),
        ...(deps.smtpAuth ? { auth: deps.smtpAuth } : {}),
      },
      outboxDepth: db ? await deps.outbox.depth() : null,
    };
  };
}
