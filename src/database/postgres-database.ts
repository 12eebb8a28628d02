import { createHash } from 'node:crypto';
import { Pool, PoolClient, QueryConfig, types } from 'pg';
import { Database, QueryOptions, Queryable, Row } from './database';

// Session and event ids are bigint columns but stay far below 2^53: read them as numbers, as PGlite does.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

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

export function queryConfig(text: string, params: unknown[], options: QueryOptions = {}): QueryConfig {
  return options.prepare ? { name: statementName(text), text, values: params } : { text, values: params };
}

export interface PostgresSettings {
  url: string;
  poolSize: number;
}

/** The `pg` settings of every service connection: one place, so the bench floor connects exactly the same way. */
export function poolOptions(settings: PostgresSettings) {
  return {
    connectionString: settings.url,
    max: settings.poolSize,
    // JIT compiles a query once its estimated cost crosses a threshold, and parallel workers start per query: for
    // short queries from many connections that is milliseconds of overhead to save microseconds, so both are off.
    options: '-c jit=off -c max_parallel_workers_per_gather=0',
  };
}

function on(client: Pool | PoolClient): Queryable {
  return {
    rows: async (text, params = [], options) => (await client.query(queryConfig(text, params, options))).rows as Row[],
  };
}

/** PostgreSQL through a `pg` pool this object owns. */
export class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  readonly pool: Pool;
  private readonly direct: Queryable;

  constructor(settings: PostgresSettings) {
    this.pool = new Pool(poolOptions(settings));
    // An idle connection that dies (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.direct = on(this.pool);
  }

  rows(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Row[]> {
    return this.direct.rows(text, params, options);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(on(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  typeormDriver(): unknown {
    const pool = this.pool;
    // TypeORM constructs a Pool and ends it on destroy; it gets a view of ours that it cannot end.
    class BorrowedPool {
      constructor() {
        return {
          connect: pool.connect.bind(pool),
          query: pool.query.bind(pool),
          on: () => undefined,
          end: (callback?: (error?: Error) => void) => callback?.(),
        };
      }
    }
    return { Pool: BorrowedPool, types };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
