/**
 * Major incidents (issue 17), owned by server/incidents/: the incident, the tickets linked to it as children, the
 * updates sent to the people affected, the recent-ticket signals detection compares a new ticket with, and one
 * claim row per category that detection locks, so two server processes never open the same incident twice. The
 * ticket keeps which incident it is in (tickets.incident_id, owned by the ticket service like the rest of it).
 */
import { DataTypes } from 'sequelize';
import { CATEGORIES } from '../server/domain/vocabulary.js';
import type { MigrationContext } from '../server/db/migrate.js';
import { dropColumn } from './columns.js';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const ts = { type: DataTypes.DATE(3), allowNull: false };
const tsNull = { type: DataTypes.DATE(3), allowNull: true };
const str = (len: number, allowNull = true) => ({ type: DataTypes.STRING(len), allowNull });
const fk = (table: string, onDelete: 'CASCADE' | 'SET NULL', allowNull = onDelete === 'SET NULL') => ({
  type: DataTypes.INTEGER,
  allowNull,
  references: { model: table, key: 'id' },
  onDelete,
});

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  const medium = sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium');
  await q.createTable('incidents', {
    id,
    ref: str(20), // MI-12, set from the id inside the creating transaction
    title: str(200, false),
    category: str(60, false),
    dev_center: str(100), // null: not local to one centre (SSO, email, a business system)
    scope: str(10, false), // centre | global
    issue: str(60), // the known issue that formed it, or null (close text similarity)
    // 'category|centre|issue' while open and formed by a known issue, else null: a second open incident for the
    // same problem is refused by the database, whatever the timing.
    open_key: str(255),
    status: str(10, false), // open | resolved | merged
    severity: str(10, false),
    assignee_id: fk('agents', 'SET NULL'),
    resolution: { type: medium, allowNull: true },
    profile: { type: DataTypes.TEXT, allowNull: true }, // JSON: the children's words (for joining and the widget)
    merged_into_id: fk('incidents', 'SET NULL'),
    first_ticket_at: ts,
    resolved_at: tsNull,
    created_at: ts, // when it was detected
    updated_at: ts,
  });
  await q.addIndex('incidents', ['ref'], { unique: true, name: 'incidents_ref_uq' });
  await q.addIndex('incidents', ['open_key'], { unique: true, name: 'incidents_open_key_uq' });
  await q.addIndex('incidents', ['status', 'category'], { name: 'incidents_status_category' });
  await q.addIndex('incidents', ['created_at'], { name: 'incidents_created_at' });

  await q.createTable('incident_links', {
    id,
    incident_id: fk('incidents', 'CASCADE'),
    ticket_id: fk('tickets', 'CASCADE'),
    ticket_ref: str(20, false),
    requester_email: str(320, false),
    requester_name: str(200),
    dev_center: str(100),
    channel: str(10, false),
    how: str(10, false), // detected | joined | me_too | manual | merged
    ticket_created_at: ts,
    linked_by: str(120, false),
    // The child reopened after the incident was resolved: its own ticket again, still counted as absorbed.
    left_at: tsNull,
    created_at: ts,
    updated_at: ts,
  });
  // A ticket is a child of one incident at a time.
  await q.addIndex('incident_links', ['ticket_id'], { unique: true, name: 'incident_links_ticket_uq' });
  await q.addIndex('incident_links', ['incident_id', 'requester_email'], { name: 'incident_links_incident' });

  await q.createTable('incident_updates', {
    id,
    incident_id: fk('incidents', 'CASCADE'),
    kind: str(12, false), // opened | update | resolution | linked | unlinked | merged | renamed
    text: { type: medium, allowNull: false },
    actor: str(120, false),
    recipients: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: ts,
    updated_at: ts,
  });
  await q.addIndex('incident_updates', ['incident_id', 'id'], { name: 'incident_updates_incident' });

  // One row per triaged ticket of the last INCIDENT_WINDOW_MINUTES (older rows are pruned as new ones arrive).
  await q.createTable('incident_signals', {
    ticket_id: { ...fk('tickets', 'CASCADE', false), primaryKey: true },
    category: str(60, false),
    dev_center: str(100),
    requester_key: str(320, false),
    issue: str(60),
    issue_z: { type: DataTypes.FLOAT, allowNull: true },
    runner: str(60),
    runner_z: { type: DataTypes.FLOAT, allowNull: true },
    terms: { type: DataTypes.TEXT, allowNull: false }, // JSON {term: weight}
    incident_id: fk('incidents', 'SET NULL'),
    created_at: ts,
  });
  await q.addIndex('incident_signals', ['category', 'created_at'], { name: 'incident_signals_recent' });

  // Detection in a category holds its row's lock (SELECT … FOR UPDATE) from reading the candidates to linking them.
  await q.createTable('incident_claims', { name: { type: DataTypes.STRING(80), primaryKey: true, allowNull: false } });
  await q.bulkInsert(
    'incident_claims',
    CATEGORIES.map((c) => ({ name: c })),
  );

  // No foreign key: SQLite cannot drop a column that is one (down), and incidents are never deleted.
  await q.addColumn('tickets', 'incident_id', { type: DataTypes.INTEGER, allowNull: true });
  await q.addIndex('tickets', ['incident_id'], { name: 'tickets_incident_id' });
}

export async function down(ctx: MigrationContext) {
  const q = ctx.queryInterface;
  await q.removeIndex('tickets', 'tickets_incident_id');
  await dropColumn(ctx, 'tickets', 'incident_id');
  for (const t of ['incident_claims', 'incident_signals', 'incident_updates', 'incident_links', 'incidents'])
    await q.dropTable(t);
}
