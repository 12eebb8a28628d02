/** A row as the driver returns it: column name to value. */
export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * Name the statement so each connection parses and plans it once (PostgreSQL; PGlite ignores it). Only for texts
   * drawn from a bounded set: every distinct text stays prepared on every pooled connection.
   */
  prepare?: boolean;
  /**
   * With `prepare`: every call runs the statement's generic plan (planned once per connection), where PostgreSQL
   * would plan each call anew with its parameters because the generic plan's estimate looks costlier. Only for
   * statements whose generic plan is known to take their parameters' own shape (the service's prepared searches);
   * PGlite and transactions ignore it.
   */
  genericPlan?: boolean;
  /**
   * Fires when nobody waits for the answer any more (the HTTP client hung up): PostgreSQL cancels the statement,
   * or it is not run when the client went away while it waited for a connection.
   * Passed by the expensive reads (lists, searches) rather than carried implicitly: AsyncLocalStorage would slow
   * every promise of every request on Node 20.
   */
  signal?: AbortSignal;
}

/** Something SQL runs on: the database itself, or one open transaction. */
export interface Queryable {
  rows(text: string, params?: unknown[], options?: QueryOptions): Promise<Row[]>;
}

/**
 * The service's one way to the database: plain parameterised SQL and transactions, the same on PGlite and
 * PostgreSQL. The domain sees only this interface; TypeORM borrows the same connections for migrations.
 */
export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /**
   * Where pure reads that may be a little stale can go: one streaming replica in rotation (DATABASE_REPLICA_URLS,
   * picked in turn, at most REPLICA_MAX_LAG_SECONDS behind), whose failed reads are retried once on the primary; the
   * database itself when there is none. One call per request, so its statements (a count and its page) read one
   * server. Never for writes, transactions, or reads a write decides on.
   */
  replica(): Queryable;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a NOTIFY channel. `onListening` is told whenever notifications start to arrive (at first, and
   * after a reconnect); `onGap` when some may be missed from now on (the listening connection dropped: it reconnects
   * by itself). Never throws.
   */
  listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>>;
  /** The `driver` option TypeORM's postgres driver loads in place of `pg`, lending it this database's connections. */
  typeormDriver(): unknown;
  close(): Promise<void>;
}

/** A statement and its parameters, built by pure functions and run by whoever holds a connection. */
export interface Statement {
  text: string;
  params: unknown[];
}

export interface NotificationHandlers {
  onNotify: (payload: string) => void;
  onListening?: () => void;
  onGap?: () => void;
}
