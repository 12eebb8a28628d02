import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { DATABASE } from '../../src/config/tokens';
import { Database } from '../../src/database/database';

export type Engine = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it), so every e2e suite runs on both. */
export function engines(): Engine[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestApp {
  app: NestFastifyApplication;
  engine: Engine;
  baseUrl: string;
  /** An API token of the superuser `admin`. */
  adminKey: string;
  config: AppConfig;
  /** Plain SQL against the app's database, for assertions about what is stored. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Starts the whole service on a fresh database (an in-memory PGlite, or a new PostgreSQL database) on a free port. */
export async function startTestApp(
  engine: Engine,
  env: Record<string, string> = {},
  /** Collects every log line (JSON) the app writes, at LOG_LEVEL (default info). */
  logLines?: string[],
): Promise<TestApp> {
  const adminKey = `test-bootstrap-${randomBytes(12).toString('hex')}`;
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (engine === 'postgres') {
    const serverUrl = process.env.TEST_DATABASE_URL!;
    const name = `sessionhub_t_${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    databaseUrl = withDatabase(serverUrl, name);
    dropDatabase = async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const config = loadConfig({
    BOOTSTRAP_TOKEN: adminKey,
    TOUCH_INTERVAL_SECONDS: '0',
    DATABASE_POOL_SIZE: '4',
    // Suites create many sessions and refuse many keys on purpose; test/rate-limits.e2e-spec.ts turns limits on.
    RATE_LIMITS: 'off',
    // Suites plant expired-but-unmarked sessions to see them left out of totals; test/expiry-sweep.e2e-spec.ts sweeps.
    EXPIRY_SWEEP_SECONDS: '0',
    // Suites assert geo_ip null for public addresses without GeoIP files; test/geoip.e2e-spec.ts covers the built-in
    // data, which every other suite would otherwise load (about 135 MB per app).
    GEOIP_BUILTIN: 'off',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const destination = logLines && { write: (line: string) => void logLines.push(line) };
  const app = await createApp({ config, dataDir: null }, true, destination);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const database = app.get<Database>(DATABASE);
  return {
    app,
    engine,
    baseUrl: `http://127.0.0.1:${address.port}`,
    adminKey,
    config,
    sql: async <T>(text: string, params: unknown[] = []) => (await database.rows(text, params)) as T[],
    close: async () => {
      await app.close();
      await dropDatabase?.();
    },
  };
}
