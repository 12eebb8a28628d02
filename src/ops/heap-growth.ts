import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past its live data before the next full collection. On a machine with a
 * large heap limit (Node's default here is 4 GB) V8 allows up to 4×, so a process under steady load holds mostly
 * garbage: validate at 64 connections peaked at 316 MB resident with V8's rule and 198 MB at 50 %. The default, 100 %,
 * peaked at 225 MB and spent 5-15 % less CPU per list page than 50 % (docs/performance.md). The flag is read at every collection, so it can be set once the config is read;
 * `--max-old-space-size`, which would also lower the factor, is fixed when the process starts and caps the heap.
 */
export function limitHeapGrowth(percent: number): void {
  const flag = heapGrowthFlag(percent);
  if (flag) setFlagsFromString(flag);
}

/** The V8 flag for HEAP_GROWTH_PERCENT; null for 0 (V8's own rule). */
export function heapGrowthFlag(percent: number): string | null {
  return percent > 0 ? `--heap-growing-percent=${percent}` : null;
}
