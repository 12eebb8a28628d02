import { EventEmitter } from 'node:events';
import { Extension, PGlite, Transaction, types } from '@electric-sql/pglite';
import { Database, NotificationHandlers, Queryable, Row } from './database';
import { lockDataDir } from './data-dir-lock';
import { classifyDatabaseError } from './errors';
import { keepingMicroseconds } from './timestamp';

/** PGlite's own parsers, except that timestamps keep their microseconds (see timestamp.ts). */
const PARSERS = { [types.TIMESTAMPTZ]: keepingMicroseconds(types.parsers[types.TIMESTAMPTZ]) };

// The contrib entry has only ESM typings, but a CommonJS build exists: load it with require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

function on(target: PGlite | Transaction, failed?: (error: unknown) => void): Queryable {
  return {
    rows: async (text, params = []) => {
      try {
        return (await target.query<Row>(text, params)).rows;
      } catch (error) {
        const classified = classifyDatabaseError(error);
        failed?.(classified);
        throw classified;
      }
    },
  };
}

/**
 * The embedded engine: one PGlite instance in this process. PGlite is a single connection; its own `transaction`
 * holds every other query back until the transaction ends, so transactions are as isolated as on a server.
 */
export class PgliteDatabase implements Database {
  readonly engine = 'pglite' as const;
  private readonly direct: Queryable;
  /** Set by whoever counts query errors (metrics); the database layer itself knows no metrics library. */
  onQueryError?: (error: unknown) => void;
  private readonly failed = (error: unknown) => this.onQueryError?.(error);

  private constructor(
    readonly pglite: PGlite,
    private readonly unlock: () => void,
  ) {
    this.direct = on(pglite, this.failed);
  }

  /**
   * `dataDir` undefined: in memory (tests). A data directory belongs to one process at a time (a lock file naming
   * it): a second PGlite on the same files would corrupt them.
   */
  static async open(dataDir: string | undefined): Promise<PgliteDatabase> {
    const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
    try {
      return new PgliteDatabase(await PGlite.create({ dataDir, extensions: { pg_trgm }, parsers: PARSERS }), unlock);
    } catch (error) {
      unlock();
      throw error;
    }
  }

  rows(text: string, params: unknown[] = []): Promise<Row[]> {
    return this.direct.rows(text, params);
  }

  /** The embedded database has no replicas: reads are its own. */
  replica(): Queryable {
    return this;
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) => work(on(tx, this.failed)));
  }

  typeormDriver(): unknown {
    const pglite = this.pglite;
    // TypeORM's query runners each BEGIN / COMMIT on "their" connection, but PGlite is one: the connection is lent
    // to one query runner at a time, the rest wait for it.
    let tail: Promise<void> = Promise.resolve();
    // TypeORM listens for notices on its connections: an emitter with the query method is enough.
    const client = Object.assign(new EventEmitter(), {
      query: async (text: string, params?: unknown[], callback?: (error: unknown, result: unknown) => void) => {
        try {
          // Without parameters a text may hold several statements (TypeORM expects the last one's result).
          const result = params?.length
            ? await pglite.query(text, params)
            : ((await pglite.exec(text)).at(-1) ?? { rows: [] });
          callback?.(null, result);
          return result;
        } catch (error) {
          callback?.(error, null);
          throw error;
        }
      },
    });
    class LentConnection {
      connect(callback: (error: unknown, connection: unknown, release: () => void) => void): void {
        let release!: () => void;
        const turn = new Promise<void>((resolve) => (release = resolve));
        const previous = tail;
        tail = previous.then(() => turn);
        void previous.then(() => {
          let released = false;
          callback(null, client, () => {
            if (!released) {
              released = true;
              release();
            }
          });
        });
      }
      query = client.query;
      on(): void {}
      // The database, not TypeORM, closes PGlite.
      end(callback?: (error?: Error) => void): void {
        callback?.();
      }
    }
    return { Pool: LentConnection };
  }

  /** One process owns the embedded database, so every NOTIFY is its own: nothing can be missed. */
  async listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>> {
    const unlisten = await this.pglite.listen(channel, handlers.onNotify);
    handlers.onListening?.();
    return unlisten;
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
    this.unlock();
  }
}
