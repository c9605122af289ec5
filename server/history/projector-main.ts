/**
 * A projector as a process of its own: `REDIS_URL=… DATABASE_URL=… PREFIX=… tsx
 * server/history/projector-main.ts`. The server runs one inside itself; this entry lets tests
 * kill one with SIGKILL, and lets an operator run it apart from the API.
 */
import { keys } from '../infra/keys.ts';
import { connect } from '../infra/redis.ts';
import { migrate, openHistory } from './db.ts';
import { Projector } from './projector.ts';

const { REDIS_URL, DATABASE_URL, PREFIX = '{pz}', PROJECTOR_BATCH } = process.env;
if (!REDIS_URL || !DATABASE_URL) {
  console.error('REDIS_URL and DATABASE_URL are required');
  process.exit(2);
}
const k = keys(PREFIX);
const history = openHistory(DATABASE_URL);
await migrate(history.db);
const projector = new Projector({
  db: history.db,
  url: DATABASE_URL,
  redis: connect(REDIS_URL, 'projector'),
  redisHead: connect(REDIS_URL, 'projector-head'),
  streamKey: k.events,
  seqKey: k.seq,
  batch: PROJECTOR_BATCH ? Number(PROJECTOR_BATCH) : undefined,
  log: (m) => console.log(m),
});
projector.start();
const stop = async () => {
  await projector.stop();
  await history.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
