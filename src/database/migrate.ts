import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** Applies pending migrations and closes the connection. */
export async function runMigrations(config: AppConfig, dataDir?: string | null): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(config, dataDir));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
