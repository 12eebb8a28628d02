import { DataSource } from 'typeorm';
import { Database } from './database';
import { dataSourceOptions } from './data-source-options';
import { DatabaseSettings, openDatabase } from './open-database';

/** Applies pending migrations on an open database; returns their names. */
export async function migrate(database: Database): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(database));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Opens the configured database, applies pending migrations and closes it (the CLI, and the primary of WORKERS). */
export async function runMigrations(settings: DatabaseSettings, dataDir?: string | null): Promise<string[]> {
  const database = await openDatabase(settings, dataDir);
  try {
    return await migrate(database);
  } finally {
    await database.close();
  }
}
