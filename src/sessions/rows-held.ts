import { RowVersion, Versioned } from './session-query';

/** What a face keeps of the session rows it has rendered, by row version (RenderedRows). */
export interface RowsHeld<T> {
  /** What is kept for this version of the row, if anything: a hit or a miss for `worthAskingFirst`. */
  get(id: number, version: string): T | undefined;
  /**
   * Whether recent lists found most of their rows kept: only then is a statement for the page's row versions,
   * before one for the rows it lacks, cheaper than reading every row at once.
   */
  worthAskingFirst(): boolean;
}

/** A list row: kept by the face (`held`), or read now (`session`) for the face to render. */
export type HeldOrRead<T, S> = (RowVersion & { held: T; session?: undefined }) | (Versioned<S> & { held?: undefined });

/** How many of the latest lookups the hit ratio follows, roughly (an exponential average). */
const LOOKUPS_FOLLOWED = 64;

/**
 * Rendered rows by session id, each with the row version it was rendered from: a row written since (a new version)
 * is a miss, and so is a rendering past its `until`, so nothing stale is served. Cache keys of a record's id and its last change are the usual way to keep
 * rendered fragments (Rails' cache_key_with_version); no library here keys on PostgreSQL's row version, so this is
 * a Map with a bound, oldest out first.
 */
export class RenderedRows<T> implements RowsHeld<T> {
  private readonly kept = new Map<number, { version: string; value: T; until: number }>();
  private hitRatio = 0;

  constructor(private readonly capacity: number) {}

  get(id: number, version: string): T | undefined {
    const kept = this.kept.get(id);
    const hit = kept !== undefined && kept.version === version && Date.now() < kept.until;
    this.hitRatio += ((hit ? 1 : 0) - this.hitRatio) / LOOKUPS_FOLLOWED;
    return hit ? kept.value : undefined;
  }

  /**
   * Keeps `value` as this version of the row's rendering, and answers it. `until` (epoch milliseconds): when a
   * rendering that depends on the clock as well as the row (a live status that expiry turns into an ended one) no
   * longer holds.
   */
  put(id: number, version: string, value: T, until = Infinity): T {
    if (!this.kept.has(id) && this.kept.size >= this.capacity) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(id, { version, value, until });
    return value;
  }

  /**
   * A list row's kept value, or `write` of the row read now, kept; `until` as for `put`. The one place a face turns a
   * list row into its kept rendering.
   */
  keep<S>(row: HeldOrRead<T, S>, write: (session: S) => T, until?: (session: S) => number): T {
    if (row.held !== undefined) return row.held;
    const { session } = row as Versioned<S>;
    return this.put(row.id, row.version, write(session), until?.(session));
  }

  worthAskingFirst(): boolean {
    return this.hitRatio >= 0.5;
  }
}
