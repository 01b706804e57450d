/** Core schema: people, tickets and their thread, feedback, knowledge base, outbox, audit trail, leases. */
import { DataTypes, type QueryInterface } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const ts = { type: DataTypes.DATE(3), allowNull: false };
const tsNull = { type: DataTypes.DATE(3), allowNull: true };
const fk = (table: string, allowNull = true, onDelete = 'SET NULL') => ({
  type: DataTypes.INTEGER,
  allowNull,
  references: { model: table, key: 'id' },
  onDelete,
});
// MEDIUMTEXT on MySQL (a plain TEXT holds only 64 KB); SQLite has one TEXT type and warns about sizes.
let sized = true;
const text = (size: 'medium' | 'long' | undefined = undefined, allowNull = true) => ({
  type: size && sized ? DataTypes.TEXT(size) : DataTypes.TEXT,
  allowNull,
});
const str = (len = 255, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const blob = (allowNull: boolean) => ({ type: sized ? DataTypes.BLOB('long') : DataTypes.BLOB, allowNull });
const bool = (def: boolean) => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue: def });

async function idx(q: QueryInterface, table: string, fields: string[], unique = false) {
  await q.addIndex(table, fields, { unique, name: `${table}_${fields.join('_')}${unique ? '_uq' : ''}` });
}

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  sized = sequelize.getDialect() !== 'sqlite';
  await q.createTable('requesters', {
    id,
    email: str(320, false),
    name: str(200, false),
    dev_center: str(100),
    created_at: ts,
    updated_at: ts,
  });
  await idx(q, 'requesters', ['email'], true);

  await q.createTable('agents', {
    id,
    name: str(200, false),
    email: str(320, false),
    kind: str(10, false), // ai | human
    category: str(60), // the AI agent's category
    skills: text(), // JSON array of categories
    role: str(10, false), // agent | manager | admin
    active: bool(true),
    created_at: ts,
    updated_at: ts,
  });
  await idx(q, 'agents', ['email'], true);

  await q.createTable('tickets', {
    id,
    ref: str(20), // IT-1042, set from the id inside the creating transaction
    subject: str(300, false),
    description: text('medium', false),
    channel: str(10, false), // email | widget | api
    status: str(20, false),
    // Triage fields stay empty while a ticket is 'new' (stored first, triaged after).
    severity: str(10),
    urgency: str(10),
    category: str(60),
    sentiment: str(10),
    intent: str(30),
    complex: bool(false),
    summary: str(500),
    route: str(10), // ai | it_team | pool
    assignee_id: fk('agents'),
    requester_id: fk('requesters', false, 'RESTRICT'),
    dev_center: str(100), // copied from the requester at creation, for analytics by centre
    classifier: str(40),
    confidence: { type: DataTypes.FLOAT, allowNull: true },
    triage: text(), // JSON: the full classifier output and rule decisions
    corrected: bool(false), // an agent changed category/severity/urgency: training signal
    escalated: bool(false),
    resolution: text('medium'),
    resolved_by: str(10), // ai | it_team
    parent_ticket_id: fk('tickets'),
    created_at: ts,
    updated_at: ts,
    first_response_at: tsNull,
    resolved_at: tsNull,
    closed_at: tsNull,
    escalated_at: tsNull,
  });
  await idx(q, 'tickets', ['ref'], true);
  await idx(q, 'tickets', ['status', 'route']);
  await idx(q, 'tickets', ['assignee_id', 'status']);
  await idx(q, 'tickets', ['requester_id', 'created_at']);
  await idx(q, 'tickets', ['created_at']);
  await idx(q, 'tickets', ['route', 'created_at']);
  await idx(q, 'tickets', ['category', 'created_at']);
  await idx(q, 'tickets', ['dev_center', 'created_at']);
  await idx(q, 'tickets', ['escalated', 'status', 'created_at']);

  await q.createTable('inbound_emails', {
    id,
    dedupe_key: str(255, false), // Message-ID, or sha256 of the raw bytes when there is none
    message_id: str(255),
    source: str(10, false), // imap | webhook | file
    raw: blob(false),
    size: { type: DataTypes.INTEGER, allowNull: false },
    status: str(12, false), // received | processed | ignored | failed
    reason: str(500),
    ticket_id: fk('tickets'),
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: ts,
    updated_at: ts,
    processed_at: tsNull,
  });
  await idx(q, 'inbound_emails', ['dedupe_key'], true);
  await idx(q, 'inbound_emails', ['status', 'created_at']);

  await q.createTable('messages', {
    id,
    ticket_id: fk('tickets', false, 'CASCADE'),
    author_kind: str(10, false), // requester | agent | ai | system
    author_agent_id: fk('agents'),
    author_email: str(320),
    internal: bool(false), // agents' notes, never sent to the requester
    text: text('medium', false), // what the author newly wrote
    html: text('medium'), // sanitized HTML for display
    full_text: text('medium'), // the whole original, with quoted history
    email_message_id: str(255),
    in_reply_to: str(255),
    references: text(),
    inbound_email_id: fk('inbound_emails'),
    created_at: ts,
    updated_at: ts,
  });
  await idx(q, 'messages', ['ticket_id', 'created_at']);
  await idx(q, 'messages', ['email_message_id'], true);

  await q.createTable('attachments', {
    id,
    message_id: fk('messages', false, 'CASCADE'),
    filename: str(255, false),
    content_type: str(150, false),
    size: { type: DataTypes.INTEGER, allowNull: false },
    content_id: str(255),
    inline: bool(false),
    content: blob(true),
    created_at: ts,
    updated_at: ts,
  });
  await idx(q, 'attachments', ['message_id']);

  await q.createTable('feedback', {
    id,
    ticket_id: fk('tickets', false, 'CASCADE'),
    score: { type: DataTypes.INTEGER, allowNull: false },
    comment: text(),
    created_at: ts,
    updated_at: ts,
  });
  await idx(q, 'feedback', ['ticket_id'], true);
  await idx(q, 'feedback', ['created_at']);

  await q.createTable('kb_entries', {
    id,
    title: str(300, false),
    query: text('medium', false),
    resolution: text('medium', false),
    category: str(60, false),
    severity: str(10),
    urgency: str(10),
    issue: str(100),
    source: str(10, false), // template | ticket
    source_ticket_id: fk('tickets'),
    hits: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    published: bool(true),
    search_text: text('medium', false), // stemmed words of title, query and resolution
    created_at: ts,
    updated_at: ts,
  });
  await idx(q, 'kb_entries', ['category', 'published']);
  await idx(q, 'kb_entries', ['source_ticket_id']);

  await q.createTable('deflections', {
    id,
    kb_entry_id: fk('kb_entries'),
    query: text(),
    dev_center: str(100),
    email: str(320),
    created_at: ts,
    updated_at: ts,
  });
  await idx(q, 'deflections', ['created_at']);

  await q.createTable('outbox', {
    id,
    ticket_id: fk('tickets'),
    kind: str(30, false), // received | ai_answer | assignment | agent_reply | escalation | resolved | notice | magic_link
    to_addr: str(320, false),
    subject: str(500, false),
    text: text('medium', false),
    html: text('medium'),
    headers: text(), // JSON object
    email_message_id: str(255, false),
    automatic: bool(true), // counts toward the per-sender limit of automatic mail
    status: str(10, false), // queued | sent | failed | dead | suppressed
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: ts,
    last_error: str(1000),
    created_at: ts,
    updated_at: ts,
    sent_at: tsNull,
  });
  await idx(q, 'outbox', ['email_message_id'], true);
  await idx(q, 'outbox', ['status', 'next_attempt_at']);
  await idx(q, 'outbox', ['to_addr', 'created_at']);
  await idx(q, 'outbox', ['ticket_id']);

  await q.createTable('audit_events', {
    id,
    ticket_id: fk('tickets', true, 'CASCADE'),
    actor: str(120, false), // system | requester:<email> | agent:<id> | ai | admin-api
    action: str(40, false),
    data: text(), // JSON
    created_at: ts,
    updated_at: ts,
  });
  await idx(q, 'audit_events', ['ticket_id', 'created_at']);
  await idx(q, 'audit_events', ['action', 'created_at']);

  await q.createTable('leases', {
    name: { type: DataTypes.STRING(100), primaryKey: true, allowNull: false },
    holder: str(200, false),
    expires_at: ts,
    created_at: ts,
    updated_at: ts,
  });
}

export async function down({ queryInterface: q }: MigrationContext) {
  for (const t of [
    'leases',
    'audit_events',
    'outbox',
    'deflections',
    'kb_entries',
    'feedback',
    'attachments',
    'messages',
    'inbound_emails',
    'tickets',
    'agents',
    'requesters',
  ]) {
    await q.dropTable(t);
  }
}
