/** Sequelize models over the migrated schema (migrations own the schema; models never sync it). */
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { Category, Channel, Intent, Level, Route, Sentiment, Status } from '../domain/vocabulary.js';
import { type Attrs, d, dates as stamps, id, json, n, no, s, t, zero } from './columns.js';

const yes = () => ({ type: DataTypes.BOOLEAN, defaultValue: true });

export class Requester extends Model<InferAttributes<Requester>, InferCreationAttributes<Requester>> {
  declare id: CreationOptional<number>;
  declare email: string;
  declare name: string;
  declare devCenter: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Agent extends Model<InferAttributes<Agent>, InferCreationAttributes<Agent>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare email: string;
  declare kind: 'ai' | 'human';
  declare category: string | null;
  declare skills: string[];
  declare role: 'agent' | 'manager' | 'admin';
  declare active: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Ticket extends Model<InferAttributes<Ticket>, InferCreationAttributes<Ticket>> {
  declare id: CreationOptional<number>;
  declare ref: string | null;
  declare subject: string;
  declare description: string;
  declare channel: Channel;
  declare status: Status;
  declare severity: Level;
  declare urgency: Level;
  declare category: Category;
  declare sentiment: Sentiment | null;
  declare intent: Intent | null;
  declare complex: CreationOptional<boolean>;
  declare summary: string | null;
  declare route: Route;
  declare assigneeId: number | null;
  declare requesterId: number;
  /** The name given on this ticket (the requester's stored name changes only through trusted channels). */
  declare requesterName: CreationOptional<string | null>;
  declare devCenter: string | null;
  declare classifier: string | null;
  declare confidence: number | null;
  declare triage: CreationOptional<Record<string, unknown> | null>;
  declare corrected: CreationOptional<boolean>;
  declare escalated: CreationOptional<boolean>;
  declare resolution: CreationOptional<string | null>;
  /** Who solved it: the AI agent, the IT team, or the article suggested in the acknowledgment. */
  declare resolvedBy: CreationOptional<'ai' | 'it_team' | 'suggestion' | null>;
  declare parentTicketId: CreationOptional<number | null>;
  /** The major incident this ticket is a child of (server/incidents/ owns incidents; the ticket service sets this). */
  declare incidentId: CreationOptional<number | null>;
  /** The scoped Idempotency-Key of the submission that created it (unique; null for most tickets). */
  declare idempotencyKey: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare firstResponseAt: CreationOptional<Date | null>;
  declare resolvedAt: CreationOptional<Date | null>;
  declare closedAt: CreationOptional<Date | null>;
  declare escalatedAt: CreationOptional<Date | null>;
  declare requester?: Requester;
  declare assignee?: Agent | null;
}

export class InboundEmail extends Model<InferAttributes<InboundEmail>, InferCreationAttributes<InboundEmail>> {
  declare id: CreationOptional<number>;
  declare dedupeKey: string;
  declare messageId: string | null;
  declare source: 'imap' | 'webhook' | 'file';
  declare raw: Buffer;
  declare size: number;
  declare status: 'received' | 'processed' | 'ignored' | 'failed';
  declare reason: string | null;
  declare ticketId: number | null;
  declare attempts: CreationOptional<number>;
  /** Who is processing the row and until when (renewed while working); see intake.ts claim(). */
  declare claimedBy: CreationOptional<string | null>;
  declare claimedUntil: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare processedAt: CreationOptional<Date | null>;
}

export class Message extends Model<InferAttributes<Message>, InferCreationAttributes<Message>> {
  declare id: CreationOptional<number>;
  declare ticketId: number;
  declare authorKind: 'requester' | 'agent' | 'ai' | 'system';
  declare authorAgentId: number | null;
  declare authorEmail: string | null;
  declare internal: CreationOptional<boolean>;
  declare text: string;
  declare html: string | null;
  declare fullText: string | null;
  declare emailMessageId: string | null;
  declare inReplyTo: string | null;
  declare references: string | null;
  declare inboundEmailId: number | null;
  /** An agent's email reply not proven to be theirs: an internal note until that agent confirms it. */
  declare pendingConfirmation: CreationOptional<boolean>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare attachments?: Attachment[];
}

export class Attachment extends Model<InferAttributes<Attachment>, InferCreationAttributes<Attachment>> {
  declare id: CreationOptional<number>;
  declare messageId: number;
  declare filename: string;
  declare contentType: string;
  declare size: number;
  declare contentId: string | null;
  declare inline: boolean;
  declare content: Buffer | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Feedback extends Model<InferAttributes<Feedback>, InferCreationAttributes<Feedback>> {
  declare id: CreationOptional<number>;
  declare ticketId: number;
  declare score: number;
  declare comment: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class KbEntry extends Model<InferAttributes<KbEntry>, InferCreationAttributes<KbEntry>> {
  declare id: CreationOptional<number>;
  declare title: string;
  declare query: string;
  declare resolution: string;
  declare category: string;
  declare severity: string | null;
  declare urgency: string | null;
  declare issue: string | null;
  declare source: 'template' | 'ticket';
  declare sourceTicketId: number | null;
  declare hits: CreationOptional<number>;
  /** Requesters who confirmed this entry solved their problem (migrations/0014-kb-outcomes.ts); ranks it. */
  declare solved: CreationOptional<number>;
  declare published: CreationOptional<boolean>;
  /** Made from a closed ticket and not yet reviewed by an agent: never searchable or shown. */
  declare draft: CreationOptional<boolean>;
  /** What was taken out of a draft as personal data (for the reviewing agent); null once reviewed. */
  declare redactions: CreationOptional<{ kind: string; text: string }[] | null>;
  declare searchText: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** How often an entry solved, or did not help, one kind of request (`issue:<slug>`, `category:<name>`). */
export class KbOutcome extends Model<InferAttributes<KbOutcome>, InferCreationAttributes<KbOutcome>> {
  declare id: CreationOptional<number>;
  declare kbEntryId: number;
  declare kind: string;
  declare solved: CreationOptional<number>;
  declare failed: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Deflection extends Model<InferAttributes<Deflection>, InferCreationAttributes<Deflection>> {
  declare id: CreationOptional<number>;
  declare kbEntryId: number | null;
  declare query: string | null;
  declare devCenter: string | null;
  declare email: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class OutboxMail extends Model<InferAttributes<OutboxMail>, InferCreationAttributes<OutboxMail>> {
  declare id: CreationOptional<number>;
  declare ticketId: number | null;
  declare kind: string;
  declare toAddr: string;
  /** toAddr without case and +tag: what the per-address cap on automatic mail counts (domain/address.ts). */
  declare limitKey: CreationOptional<string | null>;
  declare subject: string;
  declare text: string;
  declare html: string | null;
  declare headers: Record<string, string>;
  declare emailMessageId: string;
  declare automatic: boolean;
  declare status: 'queued' | 'sent' | 'failed' | 'dead' | 'suppressed';
  declare attempts: CreationOptional<number>;
  declare nextAttemptAt: Date;
  declare lastError: CreationOptional<string | null>;
  /** The sender batch that holds the row until claimedUntil (outbound/sender.ts); null when nobody does. */
  declare claimedBy: CreationOptional<string | null>;
  declare claimedUntil: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare sentAt: CreationOptional<Date | null>;
}

export class AuditEvent extends Model<InferAttributes<AuditEvent>, InferCreationAttributes<AuditEvent>> {
  declare id: CreationOptional<number>;
  declare ticketId: number | null;
  declare actor: string;
  declare action: string;
  declare data: Record<string, unknown> | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

/** A GET of an action link from one of our emails (see migrations/0009-link-fetches.ts). */
export class LinkFetch extends Model<InferAttributes<LinkFetch>, InferCreationAttributes<LinkFetch>> {
  declare id: CreationOptional<number>;
  declare ticketId: number;
  declare mailNonce: string;
  declare link: string;
  declare score: number | null;
  declare state: 'pending' | 'recorded' | 'dropped' | 'superseded' | null;
  declare reason: string | null;
  declare actor: string | null;
  declare fetchedAt: Date;
  declare dueAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class Lease extends Model<InferAttributes<Lease>, InferCreationAttributes<Lease>> {
  declare name: string;
  declare holder: string;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

const dates = stamps();

/**
 * Registers every model on a Sequelize instance; returns them for injection. Each call makes fresh subclasses:
 * Model.init binds a class to one connection, so two helpdesks in one process (tests, a CLI beside a server)
 * sharing the module-level classes would silently read and write each other's database.
 */
export function initModels(sequelize: Sequelize) {
  const opts = (modelName: string, tableName: string) => ({ sequelize, modelName, tableName, underscored: true });
  class RequesterM extends Requester {}
  class AgentM extends Agent {}
  class TicketM extends Ticket {}
  class InboundEmailM extends InboundEmail {}
  class MessageM extends Message {}
  class AttachmentM extends Attachment {}
  class FeedbackM extends Feedback {}
  class KbEntryM extends KbEntry {}
  class KbOutcomeM extends KbOutcome {}
  class DeflectionM extends Deflection {}
  class OutboxMailM extends OutboxMail {}
  class AuditEventM extends AuditEvent {}
  class LeaseM extends Lease {}
  class LinkFetchM extends LinkFetch {}
  RequesterM.init(
    { id: id(), email: s, name: s, devCenter: s, ...dates } as Attrs<Requester>,
    opts('Requester', 'requesters'),
  );
  AgentM.init(
    {
      id: id(),
      name: s,
      email: s,
      kind: s,
      category: s,
      skills: json('skills', []),
      role: s,
      active: yes(),
      ...dates,
    } as Attrs<Agent>,
    opts('Agent', 'agents'),
  );
  TicketM.init(
    {
      id: id(),
      ref: s,
      subject: s,
      description: t,
      channel: s,
      status: s,
      severity: s,
      urgency: s,
      category: s,
      sentiment: s,
      intent: s,
      complex: no(),
      summary: s,
      route: s,
      assigneeId: n,
      requesterId: n,
      requesterName: s,
      devCenter: s,
      classifier: s,
      confidence: DataTypes.FLOAT,
      triage: json('triage', null),
      corrected: no(),
      escalated: no(),
      resolution: t,
      resolvedBy: s,
      parentTicketId: n,
      incidentId: n,
      idempotencyKey: s,
      ...dates,
      firstResponseAt: d,
      resolvedAt: d,
      closedAt: d,
      escalatedAt: d,
    } as Attrs<Ticket>,
    opts('Ticket', 'tickets'),
  );
  InboundEmailM.init(
    {
      id: id(),
      dedupeKey: s,
      messageId: s,
      source: s,
      raw: DataTypes.BLOB,
      size: n,
      status: s,
      reason: s,
      ticketId: n,
      attempts: zero(),
      claimedBy: s,
      claimedUntil: d,
      ...dates,
      processedAt: d,
    } as Attrs<InboundEmail>,
    opts('InboundEmail', 'inbound_emails'),
  );
  MessageM.init(
    {
      id: id(),
      ticketId: n,
      authorKind: s,
      authorAgentId: n,
      authorEmail: s,
      internal: no(),
      text: t,
      html: t,
      fullText: t,
      emailMessageId: s,
      inReplyTo: s,
      references: t,
      inboundEmailId: n,
      pendingConfirmation: no(),
      ...dates,
    } as Attrs<Message>,
    opts('Message', 'messages'),
  );
  AttachmentM.init(
    {
      id: id(),
      messageId: n,
      filename: s,
      contentType: s,
      size: n,
      contentId: s,
      inline: no(),
      content: DataTypes.BLOB,
      ...dates,
    } as Attrs<Attachment>,
    opts('Attachment', 'attachments'),
  );
  FeedbackM.init(
    { id: id(), ticketId: n, score: n, comment: t, ...dates } as Attrs<Feedback>,
    opts('Feedback', 'feedback'),
  );
  KbEntryM.init(
    {
      id: id(),
      title: s,
      query: t,
      resolution: t,
      category: s,
      severity: s,
      urgency: s,
      issue: s,
      source: s,
      sourceTicketId: n,
      hits: { type: DataTypes.INTEGER, defaultValue: 1 },
      solved: zero(),
      published: yes(),
      draft: no(),
      redactions: json('redactions', null),
      searchText: t,
      ...dates,
    } as Attrs<KbEntry>,
    opts('KbEntry', 'kb_entries'),
  );
  KbOutcomeM.init(
    { id: id(), kbEntryId: n, kind: s, solved: zero(), failed: zero(), ...dates } as Attrs<KbOutcome>,
    opts('KbOutcome', 'kb_outcomes'),
  );
  DeflectionM.init(
    { id: id(), kbEntryId: n, query: t, devCenter: s, email: s, ...dates } as Attrs<Deflection>,
    opts('Deflection', 'deflections'),
  );
  OutboxMailM.init(
    {
      id: id(),
      ticketId: n,
      kind: s,
      toAddr: s,
      limitKey: s,
      subject: s,
      text: t,
      html: t,
      headers: json('headers', {}),
      emailMessageId: s,
      automatic: yes(),
      status: s,
      attempts: zero(),
      nextAttemptAt: d,
      lastError: s,
      claimedBy: s,
      claimedUntil: d,
      ...dates,
      sentAt: d,
    } as Attrs<OutboxMail>,
    opts('OutboxMail', 'outbox'),
  );
  AuditEventM.init(
    { id: id(), ticketId: n, actor: s, action: s, data: json('data', null), ...dates } as Attrs<AuditEvent>,
    opts('AuditEvent', 'audit_events'),
  );
  LeaseM.init(
    { name: { type: s, primaryKey: true }, holder: s, expiresAt: d, ...dates } as Attrs<Lease>,
    opts('Lease', 'leases'),
  );

  LinkFetchM.init(
    {
      id: id(),
      ticketId: n,
      mailNonce: s,
      link: s,
      score: n,
      state: s,
      reason: s,
      actor: s,
      fetchedAt: d,
      dueAt: d,
      ...dates,
    } as Attrs<LinkFetch>,
    opts('LinkFetch', 'link_fetches'),
  );

  TicketM.belongsTo(RequesterM, { as: 'requester', foreignKey: 'requesterId' });
  TicketM.belongsTo(AgentM, { as: 'assignee', foreignKey: 'assigneeId' });
  TicketM.hasMany(MessageM, { as: 'messages', foreignKey: 'ticketId' });
  MessageM.hasMany(AttachmentM, { as: 'attachments', foreignKey: 'messageId' });
  TicketM.hasOne(FeedbackM, { as: 'feedback', foreignKey: 'ticketId' });
  TicketM.hasMany(AuditEventM, { as: 'events', foreignKey: 'ticketId' });

  return {
    Requester: RequesterM,
    Agent: AgentM,
    Ticket: TicketM,
    InboundEmail: InboundEmailM,
    Message: MessageM,
    Attachment: AttachmentM,
    Feedback: FeedbackM,
    KbEntry: KbEntryM,
    KbOutcome: KbOutcomeM,
    Deflection: DeflectionM,
    OutboxMail: OutboxMailM,
    AuditEvent: AuditEventM,
    Lease: LeaseM,
    LinkFetch: LinkFetchM,
  };
}

export type Models = ReturnType<typeof initModels>;
