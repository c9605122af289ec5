/**
 * The seeded generator lives in shared/random.ts (the client's tests use it too); this re-export
 * only keeps older imports working (scripts/bench/history.ts, server/cases/calendar.test.ts).
 */
export { mulberry32, pick, type Rand } from '../../shared/random.ts';
