import { createHash } from 'node:crypto';
import { Client, Pool, PoolClient, QueryConfig, types } from 'pg';
import { Database, NotificationHandlers, QueryOptions, Queryable, Row } from './database';
import { classifyDatabaseError, DatabaseUnavailableError, wasCancelled } from './errors';
import { ReplicaSet, ReplicaStatus } from './replicas';
import { cacheRowShapes } from './pg-row-shapes';
import { SharedListener } from './shared-listener';
import { keepingMicroseconds } from './timestamp';

// Session and event ids are bigint columns but stay far below 2^53: read them as numbers, as PGlite does.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));
const parseTimestamptz = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date;
types.setTypeParser(types.builtins.TIMESTAMPTZ, keepingMicroseconds(parseTimestamptz));

/**
 * Statement names by text, the texts bucketed by their length. A list's text is built afresh for every request
 * (its filters, order and page size are literals or placeholders in it), and a Map keyed by the text hashes all of
 * its 2-4 kB on every lookup: 5.2 µs, against 0.7 µs for comparing it with the few texts of its length (twenty-seventh
 * stop). Only first pages are prepared, so the texts are a small set.
 */
const statementNames = new Map<number, Array<[text: string, name: string]>>();

/** A stable name per statement text: the same text always maps to the same prepared statement. */
export function statementName(text: string): string {
  let sameLength = statementNames.get(text.length);
  if (!sameLength) statementNames.set(text.length, (sameLength = []));
  for (const [known, name] of sameLength) if (known === text) return name;
  const name = 'sh_' + createHash('sha1').update(text).digest('hex').slice(0, 20);
  sameLength.push([text, name]);
  return name;
}

export function queryConfig(text: string, params: unknown[], options: QueryOptions = {}): QueryConfig {
  return options.prepare ? { name: statementName(text), text, values: params } : { text, values: params };
}

export interface PostgresSettings {
  url: string;
  poolSize: number;
  /** Every statement of the service's connections is cancelled past this; 0 or unset: no limit (CLI, migrations). */
  statementTimeoutMs?: number;
  /** Streaming replicas of `url` for `replica()` reads, each with a pool of `poolSize`; none: every read here. */
  replicaUrls?: string[];
  /** A replica further behind than this leaves the rotation. */
  maxReplicaLagSeconds?: number;
}

/** The `pg` settings of every service connection: one place, so the bench floor connects exactly the same way. */
export function poolOptions(settings: PostgresSettings) {
  const timeout = settings.statementTimeoutMs ? ` -c statement_timeout=${Math.trunc(settings.statementTimeoutMs)}` : '';
  return {
    connectionString: settings.url,
    max: settings.poolSize,
    // JIT compiles a query once its estimated cost crosses a threshold, and parallel workers start per query: for
    // short queries from many connections that is milliseconds of overhead to save microseconds, so both are off.
    options: `-c jit=off -c max_parallel_workers_per_gather=0${timeout}`,
    // A server that does not answer must not hold a request forever: refused after this, a 503 for the client.
    connectionTimeoutMillis: 5000,
  };
}

/** Told of every failed query (classified), e.g. to count them; must not throw. */
export type QueryErrorListener = (error: unknown) => void;

async function rowsOf(
  client: Pool | PoolClient,
  text: string,
  params: unknown[],
  options?: QueryOptions,
  failed?: QueryErrorListener,
) {
  try {
    return (await client.query(queryConfig(text, params, options))).rows as Row[];
  } catch (error) {
    const classified = classifyDatabaseError(error);
    failed?.(classified);
    throw classified;
  }
}

function on(client: Pool | PoolClient, failed?: QueryErrorListener): Queryable {
  return { rows: (text, params = [], options) => rowsOf(client, text, params, options, failed) };
}

function quietPool(options: ReturnType<typeof poolOptions>): Pool {
  const pool = new Pool(options);
  // A connection that dies (server restart) must not crash the process: idle ones report to the pool, checked-out
  // ones to themselves; the query on it fails (and is classified), the next one reconnects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * One server (the primary, or a replica) through `pg` pools this object owns: one for every statement, and one
 * whose connections plan every prepared statement generically, for the `genericPlan` statements.
 */
class PgServer implements Queryable {
  readonly pool: Pool;
  private genericPool?: Pool;
  /** One connection for cancels, apart from the pools a cancelled statement's connection waits to go back to. */
  private cancels?: Pool;

  constructor(
    private readonly settings: PostgresSettings,
    private readonly failed?: QueryErrorListener,
  ) {
    this.pool = quietPool(poolOptions(settings));
  }

  /**
   * A query; with a signal it is cancelled (pg_cancel_backend) when the signal fires before the answer. With
   * `genericPlan`, on a connection of the generic-plan pool, where planning a search with its pattern takes 1.6 ms
   * of the server's CPU. PostgreSQL 15 has no per-statement setting; setting plan_cache_mode around each statement
   * on a shared connection took two more round trips a search (SET and RESET: 2 of its 3 statements).
   */
  async rows(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Row[]> {
    const pool = options?.genericPlan === true && options.prepare === true ? this.genericPlans() : this.pool;
    const signal = options?.signal;
    if (!signal) return rowsOf(pool, text, params, options, this.failed);
    const client = await this.connect(pool);
    // Gone while it waited for a connection (an overloaded pool's queue): its statement is not run at all.
    if (signal.aborted) {
      client.release();
      throw new DatabaseUnavailableError('The client went away before its statement ran.');
    }
    let cancelled: Promise<boolean> | undefined;
    const cancel = () => {
      cancelled = this.cancel(client);
    };
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return await rowsOf(client, text, params, options);
    } catch (error) {
      // The cancel of a gone client's statement is the client's doing: not counted as the database failing.
      if (!(signal.aborted && wasCancelled(error))) this.failed?.(error);
      throw error;
    } finally {
      signal.removeEventListener('abort', cancel);
      // pg_cancel_backend names a backend, not a statement: a connection back in the pool before its cancel landed
      // could be running another request's statement by then, and that one would fail instead. So the connection
      // waits for its cancel, and one whose cancel did not go through is closed rather than used again.
      const landed = cancelled ? await cancelled : true;
      client.release(!landed);
    }
  }

  /** Opened on first use, as many connections at most as the main pool: only searches use it. */
  private genericPlans(): Pool {
    if (!this.genericPool) {
      const options = poolOptions(this.settings);
      this.genericPool = quietPool({
        ...options,
        options: `${options.options} -c plan_cache_mode=force_generic_plan`,
      });
    }
    return this.genericPool;
  }

  /** The generic-plan pool, once a search has opened it (metrics). */
  get genericPlanPool(): Pool | undefined {
    return this.genericPool;
  }

  async end(): Promise<void> {
    await Promise.all([this.pool.end(), this.genericPool?.end(), this.cancels?.end()]);
  }

  /** A plain query without classification: the replica probes judge failures themselves. */
  async query(text: string): Promise<Row[]> {
    return (await this.pool.query(text)).rows as Row[];
  }

  async connect(pool = this.pool): Promise<PoolClient> {
    try {
      return await pool.connect();
    } catch (error) {
      const classified = classifyDatabaseError(error);
      this.failed?.(classified);
      throw classified;
    }
  }

  /**
   * Asks the server to stop what `client`'s backend runs now (the client that asked for it has gone away); whether
   * the request reached the server. Not through `pool`: its connections may all be taken, one of them by `client`,
   * and the cancel would wait for the statement it is meant to stop. The cancels' own connection closes when idle.
   */
  private async cancel(client: PoolClient): Promise<boolean> {
    const pid = (client as unknown as { processID?: number }).processID;
    if (!pid) return true;
    this.cancels ??= quietPool({ ...poolOptions({ ...this.settings, statementTimeoutMs: 0 }), max: 1 });
    try {
      await this.cancels.query('SELECT pg_cancel_backend($1)', [pid]);
      return true;
    } catch {
      return false;
    }
  }
}

/** PostgreSQL through a `pg` pool this object owns, and one per streaming replica when there are some. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  /** The primary's pool. */
  readonly pool: Pool;
  /** Set by whoever counts query errors (metrics); the database layer itself knows no metrics library. */
  onQueryError?: QueryErrorListener;
  /** Set by whoever counts reads a replica failed and the primary answered (metrics). */
  onReplicaFallback?: () => void;
  private readonly failed: QueryErrorListener = (error) => this.onQueryError?.(error);
  private readonly primary: PgServer;
  private readonly replicas?: ReplicaSet<PgServer>;
  private readonly listener = new SharedListener(
    () => new Client(poolOptions({ ...this.settings, statementTimeoutMs: 0 })),
  );

  constructor(private readonly settings: PostgresSettings) {
    cacheRowShapes();
    this.primary = new PgServer(settings, this.failed);
    this.pool = this.primary.pool;
    const urls = settings.replicaUrls ?? [];
    if (urls.length > 0) {
      this.replicas = new ReplicaSet(
        urls.map((url) => ({ url, server: new PgServer({ ...settings, url }) })),
        this.primary,
        (settings.maxReplicaLagSeconds ?? 3) * 1000,
      );
      this.replicas.start();
    }
  }

  /** The primary's pool for searches planned generically, once a search has opened it. */
  get genericPlanPool(): Pool | undefined {
    return this.primary.genericPlanPool;
  }

  /** A query; with a signal it is cancelled (pg_cancel_backend) when the signal fires before the answer. */
  rows(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Row[]> {
    return this.primary.rows(text, params, options);
  }

  replica(): Queryable {
    const server = this.replicas?.pick();
    if (!server) return this;
    return { rows: (text, params = [], options) => this.readOn(server, text, params, options) };
  }

  /** Where each replica stands (empty without replicas): for readiness and metrics. */
  replicaStatuses(): ReplicaStatus[] {
    return this.replicas?.statuses() ?? [];
  }

  /** A read on a replica; when the replica went away (or conflicted with replay), once more on the primary. */
  private async readOn(server: PgServer, text: string, params: unknown[], options?: QueryOptions): Promise<Row[]> {
    try {
      return await server.rows(text, params, options);
    } catch (error) {
      if (options?.signal?.aborted || !this.replicas!.readFailed(server, error)) {
        this.failed(error);
        throw error;
      }
      this.onReplicaFallback?.();
      return this.primary.rows(text, params, options);
    }
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.primary.connect();
    try {
      await client.query('BEGIN');
      const result = await work(on(client, this.failed));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw classifyDatabaseError(error);
    } finally {
      client.release();
    }
  }

  /** LISTEN, on the one connection every channel of this process shares (SharedListener). */
  listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>> {
    return this.listener.listen(channel, handlers);
  }

  /**
   * TypeORM (migrations) gets its own single connection to the same server, without the request statement
   * timeout: building an index on a large table may take minutes.
   */
  typeormDriver(): unknown {
    const options = {
      ...poolOptions({ ...this.settings, poolSize: 1, statementTimeoutMs: 0 }),
      idleTimeoutMillis: 1000,
    };
    class MigrationPool extends Pool {
      constructor() {
        super(options);
      }
    }
    return { Pool: MigrationPool, types };
  }

  async close(): Promise<void> {
    this.replicas?.stop();
    await Promise.all([this.primary.end(), ...(this.replicas?.servers ?? []).map((server) => server.end())]);
  }
}
