import 'reflect-metadata';
import { loadConfig } from '../config/app-config';
import { runMigrations } from '../database/migrate';

/** `npm run migrate`: applies pending migrations to the configured database (the service also does at start). */
runMigrations(loadConfig())
  .then((applied) => console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.'))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
