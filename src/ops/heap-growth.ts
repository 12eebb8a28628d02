import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past its live data before the next full collection. On a machine with a
 * large heap limit (Node's default here is 4 GB) V8 allows up to 4×, so a process under steady load holds mostly
 * garbage: validate at 64 connections peaked at 316 MB resident with V8's rule and 198 MB at 50 %. The default, 100 %,
 * peaked at 225 MB and spent 5-15 % less CPU per list page than 50 % (docs/performance.md). The flag is read at every collection, so it can be set once the config is read;
 * `--max-old-space-size`, which would also lower the factor, is fixed when the process starts and caps the heap.
 *
 * `targetMb` (HEAP_TARGET_MB) shrinks the growth while the live data is large, so that live data and growth stay
 * near the target: lists (about 45 MB live) keep the full percentage and its fewer collections, while logins (about
 * 60 MB live, and twice that before each full collection) no longer take the process past 300 MB resident
 * (docs/performance.md, nineteenth stop). After each full collection the next percentage is set; V8 reads it when it
 * next sets the heap's limit. Never below MIN_GROWTH_PERCENT, so a process whose live data passes the target
 * collects more often, not without end.
 */
export function limitHeapGrowth(percent: number, targetMb = 0): void {
  const flag = heapGrowthFlag(percent);
  if (!flag) return;
  setFlagsFromString(flag);
  if (targetMb === 0) return;
  let current = percent;
  new PerformanceObserver((entries) => {
    const major = entries
      .getEntries()
      .some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major) return;
    const next = growthPercentFor(oldGenerationMb(), percent, targetMb);
    if (next === current) return;
    setFlagsFromString(heapGrowthFlag(next)!);
    current = next;
  }).observe({ entryTypes: ['gc'] });
}

/** The floor of the percentage HEAP_TARGET_MB may set. */
export const MIN_GROWTH_PERCENT = 25;

/** The growth percentage for `liveMb` of live data: `percent`, or less where live data plus it would pass the target. */
export function growthPercentFor(liveMb: number, percent: number, targetMb: number): number {
  if (targetMb === 0 || liveMb <= 0) return percent;
  const fitting = Math.floor((targetMb / liveMb - 1) * 100);
  return Math.max(MIN_GROWTH_PERCENT, Math.min(percent, fitting));
}

/** The heap's size outside the young generation, in MB: right after a full collection, about the live data. */
function oldGenerationMb(): number {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics())
    if (space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space')
      bytes += space.space_used_size;
  return bytes / 2 ** 20;
}

/** The V8 flag for HEAP_GROWTH_PERCENT; null for 0 (V8's own rule). */
export function heapGrowthFlag(percent: number): string | null {
  return percent > 0 ? `--heap-growing-percent=${percent}` : null;
}
