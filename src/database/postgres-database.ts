import { createHash } from 'node:crypto';
import { Client, Pool, PoolClient, QueryConfig, types } from 'pg';
import { Database, NotificationHandlers, QueryOptions, Queryable, Row } from './database';
import { classifyDatabaseError } from './errors';
import { keepingMicroseconds } from './timestamp';

// Session and event ids are bigint columns but stay far below 2^53: read them as numbers, as PGlite does.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));
const parseTimestamptz = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date;
types.setTypeParser(types.builtins.TIMESTAMPTZ, keepingMicroseconds(parseTimestamptz));

const statementNames = new Map<string, string>();

/** A stable name per statement text: the same text always maps to the same prepared statement. */
export function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = 'sh_' + createHash('sha1').update(text).digest('hex').slice(0, 20);
    statementNames.set(text, name);
  }
  return name;
}

function escapeIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function queryConfig(text: string, params: unknown[], options: QueryOptions = {}): QueryConfig {
  return options.prepare ? { name: statementName(text), text, values: params } : { text, values: params };
}

export interface PostgresSettings {
  url: string;
  poolSize: number;
  /** Every statement of the service's connections is cancelled past this; 0 or unset: no limit (CLI, migrations). */
  statementTimeoutMs?: number;
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

/** PostgreSQL through a `pg` pool this object owns. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  readonly pool: Pool;
  private readonly direct: Queryable;
  /** Set by whoever counts query errors (metrics); the database layer itself knows no metrics library. */
  onQueryError?: QueryErrorListener;
  private readonly failed: QueryErrorListener = (error) => this.onQueryError?.(error);

  constructor(private readonly settings: PostgresSettings) {
    this.pool = new Pool(poolOptions(settings));
    // A connection that dies (server restart) must not crash the process: idle ones report to the pool, checked-out
    // ones to themselves; the query on it fails (and is classified), the next one reconnects.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.direct = on(this.pool, this.failed);
  }

  /** A query; with a signal it is cancelled (pg_cancel_backend) when the signal fires before the answer. */
  async rows(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Row[]> {
    const signal = options?.signal;
    if (!signal) return this.direct.rows(text, params, options);
    const client = await this.connect();
    const cancel = () => void this.cancel(client);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return await rowsOf(client, text, params, options, this.failed);
    } finally {
      signal.removeEventListener('abort', cancel);
      client.release();
    }
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      const classified = classifyDatabaseError(error);
      this.failed(classified);
      throw classified;
    }
  }

  /** Asks the server to stop what `client`'s backend runs now (the client that asked for it has gone away). */
  private async cancel(client: PoolClient): Promise<void> {
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid) await this.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.connect();
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

  /**
   * LISTEN on a connection of its own (a pooled one would be handed to other work). `onListening` is told each time
   * it listens (first connect, every reconnect); when the connection drops, `onGap` is told at once and it tries
   * again every second. Never throws: a server that is down at the first try is a gap from the start.
   */
  async listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>> {
    let client: Client | null = null;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const attempt = async (): Promise<void> => {
      const next = new Client(poolOptions({ ...this.settings, statementTimeoutMs: 0 }));
      next.on('notification', (message) => {
        if (message.channel === channel) handlers.onNotify(message.payload ?? '');
      });
      let gone = false;
      const lost = () => {
        if (gone || stopped) return;
        gone = true;
        if (client === next) {
          client = null;
          handlers.onGap?.();
        }
        next.end().catch(() => undefined);
        retry = setTimeout(() => void attempt(), 1000);
      };
      next.on('error', lost);
      next.on('end', lost);
      try {
        await next.connect();
        await next.query(`LISTEN ${escapeIdentifier(channel)}`);
      } catch {
        lost();
        return;
      }
      if (stopped) return void next.end().catch(() => undefined);
      client = next;
      handlers.onListening?.();
    };
    await attempt();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    };
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
    await this.pool.end();
  }
}
