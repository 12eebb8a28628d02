import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { types } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { InitialSchema1763800000000 } from './migrations/1763800000000-initial-schema';
import { CountersAndListIndexes1763900000000 } from './migrations/1763900000000-counters-and-list-indexes';
import { ListIndexTuning1764000000000 } from './migrations/1764000000000-list-index-tuning';
import { pgliteDriver } from './pglite-pool';
import { ApiTokenEntity } from '../sessions/persistence/api-token.entity';
import { SessionEventEntity } from '../sessions/persistence/session-event.entity';
import { SessionEntity } from '../sessions/persistence/session.entity';
import { UserEntity } from '../sessions/persistence/user.entity';

// Session and event ids are bigint columns but stay far below 2^53: read them as numbers, as PGlite does.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

export const ENTITIES = [UserEntity, ApiTokenEntity, SessionEntity, SessionEventEntity];
export const MIGRATIONS = [
  InitialSchema1763800000000,
  CountersAndListIndexes1763900000000,
  ListIndexTuning1764000000000,
];

export interface DatabaseSettings {
  DATABASE_URL?: string;
  DATA_DIR: string;
  DATABASE_POOL_SIZE: number;
}

/** Embedded PGlite when no DATABASE_URL is given (data kept in DATA_DIR), a PostgreSQL server otherwise. */
export function dataSourceOptions(settings: DatabaseSettings, dataDirOverride?: string | null): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  };
  if (settings.DATABASE_URL) {
    // JIT compiles a query once its estimated cost crosses a threshold, and parallel workers start per query: for
    // short queries from many connections at once that is milliseconds of overhead to save microseconds, so both
    // are off for the service's connections.
    return {
      ...common,
      url: settings.DATABASE_URL,
      poolSize: settings.DATABASE_POOL_SIZE,
      extra: { options: '-c jit=off -c max_parallel_workers_per_gather=0' },
    };
  }
  // null asks for an in-memory database (tests); otherwise the data directory is created if missing.
  let dataDir: string | undefined;
  if (dataDirOverride !== null) {
    dataDir = resolve(dataDirOverride ?? settings.DATA_DIR);
    mkdirSync(dataDir, { recursive: true });
  }
  return { ...common, driver: pgliteDriver(dataDir), poolSize: 1 } as DataSourceOptions;
}
