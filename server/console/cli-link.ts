/**
 * `npm run -s console:link -- <agent email>`: prints a one-time console sign-in link (15 minutes) for an active IT
 * team member. How the first admin signs in before mail is set up, and how an operator helps someone whose mail
 * does not arrive; it needs access to the database, which is the credential.
 */
import { ConfigError, loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import { migrateUp } from '../db/migrate.js';
import { initModels } from '../db/models.js';
import { hashToken, newToken } from './auth.js';
import { LOGIN_TTL_MS } from './login.js';
import { initConsoleModels } from './models.js';

const email = (process.argv[2] ?? '').trim().toLowerCase();
try {
  if (!email) throw new Error('usage: npm run -s console:link -- <agent email>');
  const config = loadConfig();
  if (config.consoleLogin === 'oidc')
    throw new Error('sign-in links are off (CONSOLE_LOGIN=oidc): agents sign in with the company account');
  const db = createDatabase(config.databaseUrl);
  await migrateUp(db);
  const models = initModels(db);
  const { LoginToken } = initConsoleModels(db);
  const agent = await models.Agent.findOne({ where: { email, active: true, kind: 'human' } });
  if (!agent) {
    const none = (await models.Agent.count()) === 0;
    throw new Error(
      none
        ? 'no agents yet: start the helpdesk once (npm start) so it seeds the roster'
        : `${email} is not an active IT team member`,
    );
  }
  const token = newToken();
  await LoginToken.create({
    tokenHash: hashToken(token),
    agentId: agent.id,
    expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
  });
  process.stdout.write(`${config.publicUrl}/console/login/${token}\n`);
  await db.close();
} catch (err) {
  process.stderr.write((err instanceof ConfigError ? err.message : String((err as Error).message ?? err)) + '\n');
  process.exit(1);
}
