import path from 'node:path';
import fc from 'fast-check';

/**
 * Seeded, reproducible fuzzing. `FUZZ_SEED` fixes the seed (else a random one, printed on
 * failure); `FUZZ_RUNS` is the number of cases per property (default small: the whole fuzz suite
 * must stay well under two minutes on a loaded two-core box); `FUZZ_PATH` replays one case.
 */
export const FUZZ_SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : (Math.random() * 2 ** 31) | 0;
const RUNS = process.env.FUZZ_RUNS ? Math.max(1, Number(process.env.FUZZ_RUNS)) : null;
const PATH = process.env.FUZZ_PATH;

/** Cases for a property whose default is `n`; FUZZ_RUNS overrides every default. */
export const runs = (n: number) => RUNS ?? n;

/**
 * A property stops after this long (runs and shrinking): the counterexample found so far is still
 * reported. Tests give themselves `FUZZ_TEST_TIMEOUT_MS`.
 */
const BUDGET_MS = 60_000;
export const FUZZ_TEST_TIMEOUT_MS = BUDGET_MS + 60_000;

/**
 * Runs an async property. Known counterexamples go in `examples`: they run first, every time, so a
 * property failing for a known bug fails deterministically, and keeps guarding once it is fixed.
 * On failure the error carries fast-check's report (seed, path, shrunk counterexample) and the
 * command that reruns it.
 */
export async function fuzz<T>(
  file: string,
  testName: string,
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<unknown>,
  opts: { runs: number; examples?: T[]; knownFailing?: boolean },
): Promise<void> {
  const rel = path.relative(process.cwd(), file);
  const details = await fc.check(
    fc.asyncProperty(arb, async (v) => {
      await predicate(v);
    }),
    {
      seed: FUZZ_SEED,
      numRuns: runs(opts.runs),
      examples: (opts.examples ?? []).map((e) => [e] as [T]),
      ...(PATH ? { path: PATH } : {}),
      // Shrinking against a live server is slow; bound it rather than hit the test timeout.
      plugins: [fc.interruptAfterTimeLimit(BUDGET_MS, { failOnInterrupt: false })],
      // A property already known to fail (committed as it.fails) need not spend time shrinking.
      endOnFailure: opts.knownFailing ?? false,
    },
  );
  if (!details.failed) return;
  const report = fc.defaultReportMessage(details) ?? 'property failed';
  const cause =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const where = details.counterexamplePath ? ` FUZZ_PATH=${details.counterexamplePath}` : '';
  throw new Error(
    `${report}\n\nWhat broke: ${cause}\n\nRerun: FUZZ_SEED=${details.seed}${where} npx vitest run ${rel} -t ${JSON.stringify(testName)}`,
  );
}
