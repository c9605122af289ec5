/**
 * Adds or replaces an operator account: production has no demo accounts, so this is how a
 * centre creates its own. The server (or its Redis) must be running. Changing an existing
 * user's role ends their sessions at once, on every server process (their sockets are cut).
 *   PZ_PASSWORD=… npm run user:add -- <username> <role> "<display name>"
 */
import path from 'node:path';
import { Role } from '../shared/common.ts';
import { loadConfig } from '../server/config.ts';
import { keys } from '../server/infra/keys.ts';
import { connect } from '../server/infra/redis.ts';
import { RevocationBus } from '../server/infra/revocations.ts';
import { IdentityRepository } from '../server/repositories/identity.repository.ts';
import { AuthService } from '../server/services/auth.service.ts';

const [username, role, displayName] = process.argv.slice(2);
const password = process.env.PZ_PASSWORD;
const parsedRole = Role.safeParse(role);
if (!username || !parsedRole.success || !password || password.length < 10) {
  console.error(
    'usage: PZ_PASSWORD=<at least 10 characters> npm run user:add -- <username> <duty|commander|liaison|admin> "<display name>"',
  );
  process.exit(2);
}
const config = loadConfig();
const url = config.redisUrl ?? `redis+socket://${path.resolve(config.dataDir, 'redis.sock')}`;
const redis = connect(url, 'add-user');
const k = keys(config.prefix);
// Publishing needs no subscriber connection; this process only announces.
const revocations = new RevocationBus(redis, () => connect(url, 'add-user-sub'), k.revocations);
const auth = new AuthService(new IdentityRepository(redis, k), [], revocations);
const user = await auth.addUser(username, displayName ?? username, parsedRole.data, password);
console.log(`saved ${user.username} (${user.role})`);
redis.disconnect();
