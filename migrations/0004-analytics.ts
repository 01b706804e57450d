/**
 * Analytics roll-up: daily and monthly aggregate tables, per-day counts, and one narrow fact row per ticket for
 * medians, all kept by triggers on tickets and feedback (see server/analytics/rollup.ts for why triggers and
 * what each table is for). Existing tickets are rolled up once here.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../server/db/migrate.js';
import { dialectOf } from '../server/db/database.js';
import { ANALYTICS_TABLES, rebuildAnalytics, triggerStatements, TRIGGERS } from '../server/analytics/rollup.js';

const key = (len: number) => ({ type: DataTypes.STRING(len), allowNull: false, defaultValue: '', primaryKey: true });
const count = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
const big = () => ({ type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });

const sums = () => ({
  tickets: count(),
  resolved: count(),
  res_sum: big(), // seconds from creation to resolution, summed over resolved tickets
  escalated: count(),
  frt_n: count(),
  frt_sum: big(), // seconds from creation to first response
  fb1: count(),
  fb2: count(),
  fb3: count(),
  fb4: count(),
  fb5: count(),
});
const dims = () => ({
  dev_center: key(100),
  category: key(60),
  route: key(10),
  agent_id: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0, primaryKey: true }, // AI agent, 0 for the IT team
  resolved_by: key(10),
});
const time = () => ({ type: DataTypes.DATEONLY, allowNull: false, primaryKey: true });

export async function up({ queryInterface: q, sequelize }: MigrationContext) {
  await q.createTable('analytics_daily', { day: time(), ...dims(), ...sums() });
  await q.createTable('analytics_monthly', { month: time(), ...dims(), ...sums() }); // month: its first day
  await q.createTable('analytics_days', {
    day: time(),
    dev_center: key(100),
    category: key(60),
    tickets: count(),
    resolved: count(),
    escalated: count(),
    ai: count(),
    it_team: count(),
    pool: count(),
  });
  // Clustered by (sampled, created_at): a date range of all tickets, or of the sampled ones, is one contiguous read.
  await q.createTable('analytics_facts', {
    sampled: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    created_at: { type: DataTypes.DATE(3), allowNull: false, primaryKey: true },
    ticket_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
    dev_center: { type: DataTypes.STRING(100), allowNull: false },
    category: { type: DataTypes.STRING(60), allowNull: false },
    route: { type: DataTypes.STRING(10), allowNull: false },
    agent_id: { type: DataTypes.INTEGER, allowNull: false },
    resolved_by: { type: DataTypes.STRING(10), allowNull: false },
    res_s: { type: DataTypes.BIGINT, allowNull: true },
    frt_s: { type: DataTypes.BIGINT, allowNull: true },
  });
  await q.addIndex('analytics_facts', ['ticket_id'], { unique: true, name: 'analytics_facts_ticket_id_uq' });
  // As they were then: 0020 makes them write analytics_pending instead.
  for (const sql of triggerStatements(dialectOf(sequelize), 'rollups')) await sequelize.query(sql);
  await rebuildAnalytics(sequelize, { pending: false });
}

export async function down({ queryInterface: q, sequelize }: MigrationContext) {
  for (const t of TRIGGERS) await sequelize.query(`DROP TRIGGER IF EXISTS ${t}`);
  for (const t of ANALYTICS_TABLES) await q.dropTable(t);
}
