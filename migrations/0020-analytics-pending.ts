/**
 * The roll-up triggers stop writing the roll-up rows themselves (issue 12, item 6): every ticket of a day and
 * category upserted the same rows, so writers waited on each other's row locks on MySQL, and each ticket paid three
 * keyed upserts. They now append one row per change to analytics_pending, which a job folds into the roll-ups
 * (server/analytics/fold.ts); readers add what is not folded yet, so every figure stays exact.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';
import { dialectOf } from '../server/db/database.js';
import { PENDING_TABLE, triggerStatements, TRIGGERS } from '../server/analytics/rollup.js';
import { foldAnalytics } from '../server/analytics/fold.js';

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
}

export async function down({ queryInterface: q, sequelize }: MigrationContext) {
  await replaceTriggers(sequelize, 'rollups');
  await foldAnalytics(sequelize); // after the switch, so no change is left behind in the table about to go
  await q.dropTable(PENDING_TABLE);
}

async function replaceTriggers(sequelize: MigrationContext['sequelize'], via: 'pending' | 'rollups') {
  for (const t of TRIGGERS) await sequelize.query(`DROP TRIGGER IF EXISTS ${t}`);
  for (const sql of triggerStatements(dialectOf(sequelize), via)) await sequelize.query(sql);
}
