/**
 * `npm run -s mail:import -- FILE.eml|FOLDER …`: feeds messages through the same intake as IMAP, against
 * DATABASE_URL (e.g. to replay mail exported from a mailbox). Prints one JSON line per file.
 */
import { loadConfig, ConfigError } from '../../config.js';
import { buildHelpdesk } from '../../main.js';
import { silentLogger } from '../../log.js';
import { createFileSource } from './file-source.js';

const files = process.argv.slice(2);
if (!files.length) {
  process.stderr.write('usage: npm run -s mail:import -- FILE.eml|FOLDER …\n');
  process.exit(2);
}
try {
  const hd = await buildHelpdesk(loadConfig(process.env), { log: silentLogger });
  const source = createFileSource(files, {
    intake: hd.intake,
    onResult: (file, r) => process.stdout.write(JSON.stringify({ file, ...r }) + '\n'),
  });
  source.start();
  await source.done;
  await hd.stop();
} catch (err) {
  process.stderr.write((err instanceof ConfigError ? err.message : String((err as Error).stack ?? err)) + '\n');
  process.exit(1);
}
