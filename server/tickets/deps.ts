/** What the ticket service needs; main.ts builds it, tests build it with real pieces. */
import type { Sequelize, Transaction } from 'sequelize';
import type { Models, Ticket } from '../db/models.js';
import type { Logger } from '../log.js';
import type { Notifier } from '../mail/outbound/notify.js';
import type { MailIds } from '../mail/outbound/ids.js';
import type { Triage } from '../triage/service.js';
import type { Answerer } from '../triage/answer.js';
import type { Classifier } from '../triage/types.js';
import type { Kb } from '../kb/entries.js';
import type { Audit } from './audit.js';

export interface TicketDeps {
  sequelize: Sequelize;
  models: Models;
  triage: Triage;
  /** The local classifier, used to read intent and sentiment in replies. */
  replyReader: Classifier;
  answerer: Answerer;
  notifier: Notifier;
  ids: MailIds;
  kb: Kb;
  audit: Audit;
  clock: () => Date;
  log: Logger;
  /** Hook for live views (analytics SSE, widget updates). */
  onChange?: (ticket: Ticket, action: string) => void;
}

/** Runs fn in a transaction (IMMEDIATE on SQLite, so writers queue instead of failing). */
export function inTx<T>(deps: Pick<TicketDeps, 'sequelize'>, fn: (t: Transaction) => Promise<T>): Promise<T> {
  return deps.sequelize.transaction(fn);
}
