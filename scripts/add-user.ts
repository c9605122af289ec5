/**
 * Adds or replaces an operator account: production has no demo accounts, so this is how a
 * centre creates its own. The server (or its Redis) must be running. Changing an existing
 * user's role ends their sessions at once, on every server process (their sockets are cut).
 *   PZ_PASSWORD=… npm run user:add -- <username> <role> "<display name>"
 *   PZ_PASSWORD=… npm run user:add -- <username> subcentre "<display name>" --street <street id>
 *   PZ_PASSWORD=… npm run user:add -- <username> department "<display name>" --department <department id>
 *   npm run user:add -- --remove <username>
 * A scoped role needs its binding (a street of the grid, a department of `GET /api/v1/departments`);
 * changing it ends the user's sessions too (their sockets were opened with the old scope).
 */
import path from 'node:path';
import { z } from 'zod';
import { Role } from '../shared/common.ts';
import { text } from '../shared/text.ts';
import { loadConfig } from '../server/config.ts';
import { loadDemoData } from '../server/data/demo-data.ts';
import { knownBindings, type Binding } from '../server/identity/binding.ts';
import { keys } from '../server/infra/keys.ts';
import { connect } from '../server/infra/redis.ts';
import { RevocationBus } from '../server/infra/revocations.ts';
import { IdentityRepository } from '../server/repositories/identity.repository.ts';
import { AuthService } from '../server/services/auth.service.ts';
import { DomainError } from '../server/services/errors.ts';

const config = loadConfig();
const url = config.redisUrl ?? `redis+socket://${path.resolve(config.dataDir, 'redis.sock')}`;
async function open(): Promise<{ auth: AuthService; close(): void }> {
  const redis = connect(url, 'add-user');
  const k = keys(config.prefix);
  // Publishing needs no subscriber connection; this process only announces.
  const revocations = new RevocationBus(redis, () => connect(url, 'add-user-sub'), k.revocations);
  return {
    // The same grid and departments the server checks a binding against.
    auth: new AuthService(
      new IdentityRepository(redis, k),
      [],
      revocations,
      undefined,
      knownBindings((await loadDemoData()).grids),
    ),
    close: () => redis.disconnect(),
  };
}

const USAGE =
  'usage: PZ_PASSWORD=<at least 10 characters> npm run user:add -- <username> <duty|commander|liaison|admin> "<display name>"\n' +
  '       PZ_PASSWORD=… npm run user:add -- <username> subcentre "<display name>" --street <street id>\n' +
  '       PZ_PASSWORD=… npm run user:add -- <username> department "<display name>" --department <department id>\n' +
  '       npm run user:add -- --remove <username>';

// `--street <id>` and `--department <id>` may stand anywhere; the rest are positional.
const args: string[] = [];
const binding: Binding = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--street' || a === '--department') {
    const v = argv[++i];
    if (!v) {
      console.error(`${a} needs an id\n${USAGE}`);
      process.exit(2);
    }
    binding[a === '--street' ? 'streetId' : 'departmentId'] = v;
  } else args.push(a);
}
if (args[0] === '--remove') {
  // Removing through the service (not HDEL by hand) also cuts the user's open sockets.
  if (!args[1]) {
    console.error('usage: npm run user:add -- --remove <username>');
    process.exit(2);
  }
  const { auth, close } = await open();
  const removed = await auth.removeUser(args[1]);
  console.log(removed ? `removed ${args[1]}; their sessions are ended` : `no user ${args[1]}`);
  close();
  process.exit(removed ? 0 : 1);
}

const [username, role, displayName] = args;
const password = process.env.PZ_PASSWORD;
const parsedRole = Role.safeParse(role);
if (!username || !parsedRole.success || !password || password.length < 10) {
  console.error(USAGE);
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
const { auth, close } = await open();
try {
  const user = await auth.addUser(
    names.data.username,
    names.data.displayName,
    parsedRole.data,
    password,
    binding,
  );
  const scope = user.streetId ?? user.departmentId;
  console.log(`saved ${user.username} (${user.role}${scope ? ` of ${scope}` : ''})`);
} catch (err) {
  // A bad binding: every problem named, nothing saved.
  if (!(err instanceof DomainError)) throw err;
  for (const i of err.issues ?? [{ path: '', message: err.message }])
    console.error(`${i.path}: ${i.message}`);
  close();
  process.exit(2);
}
close();
