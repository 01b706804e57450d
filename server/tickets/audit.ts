/** Audit events: every ticket change writes one, in the same transaction as the change. */
import type { Transaction } from 'sequelize';
import type { Models } from '../db/models.js';

/** Who did something: 'system', 'ai', 'admin-api', 'requester:<email>', 'agent:<id>'. */
export type Actor = string;

export function createAudit(models: Models) {
  return (
    transaction: Transaction,
    ticketId: number | null,
    actor: Actor,
    action: string,
    data: Record<string, unknown> | null = null,
  ) =>
    // The column holds 120 characters; 'requester:' + a long (valid) address would not fit and MySQL refuses it.
    models.AuditEvent.create({ ticketId, actor: actor.slice(0, 120), action, data }, { transaction });
}

export type Audit = ReturnType<typeof createAudit>;
