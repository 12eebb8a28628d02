import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A process with 60 MB of live objects that keeps promoting short-lived batches to the old generation (as a busy
 * server does), run with and without the limit: the peak heap is what decides the process's resident memory.
 */
const CHURN = `
const { limitHeapGrowth } = require(${JSON.stringify(join(__dirname, 'heap-growth'))});
limitHeapGrowth(Number(process.argv[1]));
const live = Array.from({ length: 400000 }, (_, i) => ({ i, s: 'x'.repeat(50) + i }));
const ring = new Array(64).fill(null);
let peak = 0;
for (let round = 0; round < 3000; round++) {
  ring[round % 64] = Array.from({ length: 2000 }, (_, i) => ({ round, i, s: 'y' + i }));
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(String(Math.round(peak / 2 ** 20)) + ' ' + live.length);
`;

function peakHeapMb(percent: number): number {
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', CHURN, String(percent)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout.split(' ')[0]);
}

describe('limitHeapGrowth', () => {
  it("should keep a churning process's heap near its live data, where V8's own rule lets it grow to twice that", () => {
    const ownRule = peakHeapMb(0);
    const limited = peakHeapMb(50);
    expect(ownRule).toBeGreaterThan(380);
    expect(limited).toBeLessThan(320);
  });
});
