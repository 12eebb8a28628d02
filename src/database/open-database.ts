import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Database } from './database';
import { PgliteDatabase } from './pglite-database';
import { PostgresDatabase } from './postgres-database';

export interface DatabaseSettings {
  DATABASE_URL?: string;
  DATA_DIR: string;
  DATABASE_POOL_SIZE: number;
  /** Applied to the service's connections only (`serving`); the CLI's bulk work and migrations have no limit. */
  STATEMENT_TIMEOUT_MS?: number;
  /** Read by the service only (`serving`): the CLI and migrations work on the primary. */
  DATABASE_REPLICA_URLS?: string[];
  REPLICA_MAX_LAG_SECONDS?: number;
}

/**
 * A PostgreSQL server when DATABASE_URL is set, otherwise embedded PGlite with its data in DATA_DIR (created if
 * missing). `dataDirOverride` null asks for an in-memory PGlite (tests). `serving`: the HTTP service's connections,
 * with the request statement timeout, and the replicas its reads may use.
 */
export async function openDatabase(
  settings: DatabaseSettings,
  dataDirOverride?: string | null,
  serving = false,
): Promise<Database> {
  if (settings.DATABASE_URL) {
    return new PostgresDatabase({
      url: settings.DATABASE_URL,
      poolSize: settings.DATABASE_POOL_SIZE,
      statementTimeoutMs: serving ? settings.STATEMENT_TIMEOUT_MS : 0,
      replicaUrls: serving ? settings.DATABASE_REPLICA_URLS : [],
      maxReplicaLagSeconds: settings.REPLICA_MAX_LAG_SECONDS,
    });
  }
  let dataDir: string | undefined;
  if (dataDirOverride !== null) {
    dataDir = resolve(dataDirOverride ?? settings.DATA_DIR);
    mkdirSync(dataDir, { recursive: true });
  }
  return PgliteDatabase.open(dataDir);
}
