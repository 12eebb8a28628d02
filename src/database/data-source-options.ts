import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSourceOptions, MigrationInterface } from 'typeorm';
import { Database } from './database';

type MigrationClass = new () => MigrationInterface;

/** `<13-digit timestamp>-<name>.ts` (or `.js` once built); declarations and source maps are not migrations. */
const MIGRATION_FILE = /^(\d{13})-[a-z0-9-]+\.(ts|js)$/;
/** Code that starts with a digit, as a migration does: misnamed, it would be skipped without a word. */
const MEANT_AS_MIGRATION = /^\d.*\.(ts|js)$/;
const NOT_CODE = /\.(d\.ts|map)$/;

/**
 * Every migration in `migrations/`, oldest first: a new migration is one new file, with no list to keep beside it.
 * TypeORM's own `migrations: ['dir/*.js']` glob would do the same for built code, but not under ts-node and Jest
 * (it needs one pattern per extension and loads both when both exist); reading the folder here works in all three.
 */
export function loadMigrations(folder = join(__dirname, 'migrations')): MigrationClass[] {
  const all = readdirSync(folder);
  const misnamed = all.filter((f) => MEANT_AS_MIGRATION.test(f) && !NOT_CODE.test(f) && !MIGRATION_FILE.test(f)).sort();
  if (misnamed.length > 0)
    throw new Error(`not named <13-digit timestamp>-<lower-case-name>.ts, so never run: ${misnamed.join(', ')}`);
  const files = all
    .filter((file) => MIGRATION_FILE.test(file))
    .sort((a, b) => Number(MIGRATION_FILE.exec(a)![1]) - Number(MIGRATION_FILE.exec(b)![1]));
  return files.flatMap((file) => {
    // A synchronous require on purpose: TypeORM takes the classes when the data source is built.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(join(folder, file)) as Record<string, unknown>;
    const classes = Object.values(exported).filter((value): value is MigrationClass => typeof value === 'function');
    if (classes.length !== 1) throw new Error(`${file} must export exactly one migration class`);
    return classes;
  });
}

export const MIGRATIONS = loadMigrations();

/**
 * TypeORM's data source over the service's own connections: it runs migrations (at start, and for the TypeORM CLI
 * through ormconfig.ts). The service reads and writes through `Database`, never through entities.
 */
export function dataSourceOptions(database: Database): DataSourceOptions {
  return {
    type: 'postgres',
    driver: database.typeormDriver(),
    poolSize: 1,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  };
}
