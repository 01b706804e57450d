/** `npm run migrate [-- up|down|down:all|status]`: runs migrations against DATABASE_URL. */
import { loadConfig, ConfigError } from '../config.js';
import { createDatabase } from './database.js';
import { createMigrator } from './migrate.js';
import { createLogger } from '../log.js';

const cmd = process.argv[2] ?? 'up';
try {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const db = createDatabase(config.databaseUrl);
  const m = createMigrator(db, log);
  if (cmd === 'up') await m.up();
  else if (cmd === 'down') await m.down();
  else if (cmd === 'down:all') await m.down({ to: 0 });
  else if (cmd === 'status') {
    process.stdout.write(
      JSON.stringify({
        executed: (await m.executed()).map((x) => x.name),
        pending: (await m.pending()).map((x) => x.name),
      }) + '\n',
    );
  } else throw new Error(`unknown command ${cmd}; use up, down, down:all or status`);
  await db.close();
} catch (err) {
  process.stderr.write((err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)) + '\n');
  process.exit(1);
}
