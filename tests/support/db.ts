/** A fresh, migrated database per test file: a temp SQLite file, or a new MySQL database when DATABASE_URL says mysql. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Sequelize } from 'sequelize';
import { createDatabase } from '../../server/db/database.js';
import { migrateUp } from '../../server/db/migrate.js';
import { initModels, type Models } from '../../server/db/models.js';

export interface TestDb {
  url: string;
  sequelize: Sequelize;
  models: Models;
  dialect: 'sqlite' | 'mysql';
  cleanup(): Promise<void>;
}

/** The dialect the suite runs against: the DATABASE_URL of the run (CI sets it to MariaDB for the second pass). */
export const testDialect: 'sqlite' | 'mysql' = /^(mysql|mariadb):/.test(process.env.DATABASE_URL ?? '')
  ? 'mysql'
  : 'sqlite';

/** A database URL that nobody else uses, created empty. */
export async function freshDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  if (testDialect === 'mysql') {
    const base = new URL(process.env.DATABASE_URL!.replace(/^mariadb:/, 'mysql:'));
    const name = `hd_t_${randomBytes(5).toString('hex')}`;
    const admin = new Sequelize(`mysql://${base.username}${base.password ? ':' + base.password : ''}@${base.host}/`, {
      dialect: 'mysql',
      logging: false,
    });
    await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const url = `mysql://${base.username}${base.password ? ':' + base.password : ''}@${base.host}/${name}`;
    return {
      url,
      async drop() {
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.close();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'hd-db-'));
  return {
    url: `sqlite:${path.join(dir, 'test.sqlite')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Creates and migrates a database for one test file. */
export async function createTestDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const fresh = await freshDatabaseUrl();
  const sequelize = createDatabase(fresh.url);
  if (opts.migrate !== false) await migrateUp(sequelize);
  const models = initModels(sequelize);
  return {
    url: fresh.url,
    sequelize,
    models,
    dialect: testDialect,
    async cleanup() {
      await sequelize.close();
      await fresh.drop();
    },
  };
}
