/** umzug runner: the schema comes only from migrations/, on SQLite and MySQL alike. */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';
import type { Logger } from '../log.js';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
}

/** Builds the umzug migrator for this database. */
export function createMigrator(sequelize: Sequelize, log?: Logger) {
  return new Umzug<MigrationContext>({
    migrations: {
      glob: ['[0-9]*.ts', { cwd: migrationsDir }],
      resolve: ({ name, path: file, context }) => ({
        name: name.replace(/\.ts$/, ''),
        up: async () => (await import(pathToFileURL(file!).href)).up(context),
        down: async () => (await import(pathToFileURL(file!).href)).down(context),
      }),
    },
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: log
      ? {
          info: (m) => log.info(m, 'migration'),
          warn: (m) => log.warn(m, 'migration'),
          error: (m) => log.error(m, 'migration'),
          debug: (m) => log.debug(m, 'migration'),
        }
      : undefined,
  });
}

/** Applies every pending migration. */
export async function migrateUp(sequelize: Sequelize, log?: Logger) {
  return createMigrator(sequelize, log).up();
}

/** Names of migrations not applied yet (empty when the schema is current); for the readiness probe. */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  return (await createMigrator(sequelize).pending()).map((m) => m.name);
}
