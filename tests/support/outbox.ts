/** A due outbox row for tests of the sender (claims, crashes): one notice to person<i>, under <tag>-<i>. */
import type { InferCreationAttributes } from 'sequelize';
import type { OutboxMail } from '../../server/db/models.js';

export const queuedMail = (tag: string, i: number, extra: Partial<InferCreationAttributes<OutboxMail>> = {}) => ({
  ticketId: null,
  kind: 'notice',
  toAddr: `person${i}@corp.example`,
  limitKey: `person${i}@corp.example`,
  subject: `Notice ${i}`,
  text: `Notice number ${i}.`,
  html: null,
  headers: {},
  emailMessageId: `${tag}-${i}@helpdesk.localhost`,
  automatic: false,
  status: 'queued' as const,
  nextAttemptAt: new Date(Date.now() - 1000),
  ...extra,
});
