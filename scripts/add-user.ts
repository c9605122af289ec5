/**
 * Adds or replaces an operator account: production has no demo accounts, so this is how a
 * centre creates its own. The server (or its Redis) must be running. Changing an existing
 * user's role ends their sessions at once, on every server process (their sockets are cut).
 *   PZ_PASSWORD=… npm run user:add -- <username> <role> "<display name>"
 *   npm run user:add -- --remove <username>
 */
import path from 'node:path';
import { z } from 'zod';
import { Role } from '../shared/common.ts';
import { text } from '../shared/text.ts';
import { loadConfig } from '../server/config.ts';
import { keys } from '../server/infra/keys.ts';
import { connect } from '../server/infra/redis.ts';
import { RevocationBus } from '../server/identity/revocations.ts';
import { IdentityRepository } from '../server/identity/identity.repository.ts';
import { AuthService } from '../server/identity/auth.service.ts';

const config = loadConfig();
const url = config.redisUrl ?? `redis+socket://${path.resolve(config.dataDir, 'redis.sock')}`;
function open(): { auth: AuthService; close(): void } {
  const redis = connect(url, 'add-user');
  const k = keys(config.prefix);
  // Publishing needs no subscriber connection; this process only announces.
  const revocations = new RevocationBus(redis, () => connect(url, 'add-user-sub'), k.revocations);
  return {
    auth: new AuthService(new IdentityRepository(redis, k), [], revocations),
    close: () => redis.disconnect(),
  };
}

const args = process.argv.slice(2);
if (args[0] === '--remove') {
  // Removing through the service (not HDEL by hand) also cuts the user's open sockets.
  if (!args[1]) {
    console.error('usage: npm run user:add -- --remove <username>');
    process.exit(2);
  }
  const { auth, close } = open();
  const removed = await auth.removeUser(args[1]);
  console.log(removed ? `removed ${args[1]}; their sessions are ended` : `no user ${args[1]}`);
  close();
  process.exit(removed ? 0 : 1);
}

const [username, role, displayName] = args;
const password = process.env.PZ_PASSWORD;
const parsedRole = Role.safeParse(role);
if (!username || !parsedRole.success || !password || password.length < 10) {
  console.error(
    'usage: PZ_PASSWORD=<at least 10 characters> npm run user:add -- <username> <duty|commander|liaison|admin> "<display name>"\n' +
      '       npm run user:add -- --remove <username>',
  );
  process.exit(2);
}
// The same text rules as every other name a console shows.
const names = z.object({ username: text.line(64), displayName: text.line(100) }).safeParse({
  username,
  displayName: displayName ?? username,
});
if (!names.success) {
  for (const i of names.error.issues) console.error(`${i.path.join('.')}: ${i.message}`);
  process.exit(2);
}
const { auth, close } = open();
const user = await auth.addUser(names.data.username, names.data.displayName, parsedRole.data, password);
console.log(`saved ${user.username} (${user.role})`);
close();
