import { Extension, PGliteOptions } from '@electric-sql/pglite';
import { PGliteDriver } from 'typeorm-pglite';
import { PGlitePool } from 'typeorm-pglite/dist/pglite-pool';

type ConnectCallback = Parameters<PGlitePool['connect']>[0];

/**
 * PGlite is one connection. typeorm-pglite hands that connection to every query runner at once, so two
 * concurrent requests could interleave inside one BEGIN ... COMMIT. This pool lends the connection to one
 * query runner at a time, queueing the rest, which makes transactions on the embedded engine as isolated
 * as on a PostgreSQL server.
 */
export class SerializedPGlitePool extends PGlitePool {
  private tail: Promise<void> = Promise.resolve();

  override async connect(callback: ConnectCallback): Promise<void> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => turn);
    await previous;
    let released = false;
    await super.connect((err, client) =>
      callback(err, client, () => {
        if (!released) {
          released = true;
          release();
        }
      }),
    );
  }
}

// The contrib entry has only ESM typings, but a CommonJS build exists: load it with require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as { pg_trgm: Extension };

/** The `driver` TypeORM's postgres driver loads in place of `pg`, backed by one in-process PGlite. */
export function pgliteDriver(dataDir: string | undefined): unknown {
  const options: PGliteOptions = { dataDir, extensions: { pg_trgm } };
  const base = new PGliteDriver(options).driver as { Pool: unknown };
  return Object.assign(class {}, base, { Pool: SerializedPGlitePool });
}
