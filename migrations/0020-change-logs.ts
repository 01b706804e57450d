/**
 * Two change logs written by triggers, so that no work grows with the data inside a writer's lock (issue 12, item 6):
 * - The roll-up triggers stop writing the roll-up rows themselves: every ticket of a day and category upserted the
 *   same rows, so writers waited on each other's row locks on MySQL. They now append one row per change to
 *   analytics_pending, which a job folds into the roll-ups (server/analytics/fold.ts); readers add what is not
 *   folded yet, so every figure stays exact.
 * - kb_vocab_changes: a row per change of a KB entry's search words or publication, so KB search updates its
 *   vocabulary with the entries that changed instead of reloading it whole (server/kb/vocabulary.ts).
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';
import { dialectOf } from '../server/db/database.js';
import { PENDING_TABLE, triggerStatements, TRIGGERS } from '../server/analytics/rollup.js';
import { foldAnalytics } from '../server/analytics/fold.js';
import { VOCAB_CHANGES, VOCAB_TRIGGERS, vocabTriggerStatements } from '../server/kb/vocabulary.js';

const str = (len: number) => ({ type: DataTypes.STRING(len), allowNull: false, defaultValue: '' });
const n = (type = DataTypes.INTEGER) => ({ type, allowNull: false, defaultValue: 0 });

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  // No secondary index: every writer only appends; readers and the fold read the whole (small) table.
  await q.createTable(PENDING_TABLE, {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    day: { type: DataTypes.DATEONLY, allowNull: false },
    dev_center: str(100),
    category: str(60),
    route: str(10),
    agent_id: n(),
    resolved_by: str(10),
    tickets: n(),
    resolved: n(),
    res_sum: n(DataTypes.BIGINT),
    escalated: n(),
    frt_n: n(),
    frt_sum: n(DataTypes.BIGINT),
    fb1: n(),
    fb2: n(),
    fb3: n(),
    fb4: n(),
    fb5: n(),
  });
  await replaceTriggers(sequelize, 'pending');

  await q.createTable(VOCAB_CHANGES, {
    seq: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
    entry_id: { type: DataTypes.INTEGER, allowNull: false },
    old_text: { type: DataTypes.TEXT, allowNull: true }, // the entry's search_text before the change; null: new
    old_published: { type: DataTypes.BOOLEAN, allowNull: false },
    created_at: { type: DataTypes.DATE(3), allowNull: false },
  });
  for (const sql of vocabTriggerStatements(dialectOf(sequelize))) await sequelize.query(sql);
}

export async function down({ queryInterface: q, sequelize }: MigrationContext) {
  for (const t of VOCAB_TRIGGERS) await sequelize.query(`DROP TRIGGER IF EXISTS ${t}`);
  await q.dropTable(VOCAB_CHANGES);
  await replaceTriggers(sequelize, 'rollups');
  await foldAnalytics(sequelize); // after the switch, so no change is left behind in the table about to go
  await q.dropTable(PENDING_TABLE);
}

async function replaceTriggers(sequelize: MigrationContext['sequelize'], via: 'pending' | 'rollups') {
  for (const t of TRIGGERS) await sequelize.query(`DROP TRIGGER IF EXISTS ${t}`);
  for (const sql of triggerStatements(dialectOf(sequelize), via)) await sequelize.query(sql);
}
