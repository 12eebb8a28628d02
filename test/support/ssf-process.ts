import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, dropDatabase } from './pg-cluster';
import { Push } from './ssf-receiver';
import { killService, ServiceProcess, spawnService, waitReady } from './service-process';

/**
 * The service as a child process for Shared Signals tests that kill or fork it: on a fresh database, with pushes
 * retried fast and often enough that no stream is paused while a test holds its receiver back on purpose.
 */
export interface SsfProcessSetup {
  label: string;
  /** The database settings for the service, and how to remove that database afterwards. */
  database(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>;
}

export const ADMIN_KEY = `ssf-process-${randomBytes(12).toString('hex')}`;

/** PGlite in a fresh DATA_DIR: the embedded default. */
export const PGLITE_SETUP: SsfProcessSetup = {
  label: 'PGlite (DATA_DIR)',
  database: () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sessionhub-ssf-'));
    return Promise.resolve({
      env: { DATA_DIR: dataDir },
      cleanup: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    });
  },
};

/** A fresh PostgreSQL database on TEST_DATABASE_URL's server, with `env` added (e.g. WORKERS); null without one. */
export function postgresSetup(env: Record<string, string> = {}): SsfProcessSetup | null {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) return null;
  return {
    label: `PostgreSQL${env.WORKERS ? `, WORKERS=${env.WORKERS}` : ''}`,
    database: async () => {
      const name = `sessionhub_ssf_${randomBytes(5).toString('hex')}`;
      const url = await createDatabase(server, name);
      return { env: { DATABASE_URL: url, DATABASE_POOL_SIZE: '4', ...env }, cleanup: () => dropDatabase(server, name) };
    },
  };
}

const FAST_PUSH_RETRIES = {
  BOOTSTRAP_TOKEN: ADMIN_KEY,
  TOUCH_INTERVAL_SECONDS: '0',
  SSF_PUSH_RETRY_BASE_MS: '100',
  SSF_PUSH_RETRY_MAX_SECONDS: '1',
  SSF_PUSH_MAX_ATTEMPTS: '100',
  // A killed process's lease (2 × this + 5 s) runs out in 9 s.
  SSF_PUSH_TIMEOUT_SECONDS: '2',
};

/** Starts the service (on `port`, to come back where receivers know it) and waits until it is ready. */
export async function startSsfService(env: Record<string, string>, port?: number): Promise<ServiceProcess> {
  const service = await spawnService({ ...FAST_PUSH_RETRIES, ...env, ...(port ? { PORT: String(port) } : {}) });
  try {
    await waitReady(service);
  } catch (error) {
    await killService(service);
    throw error;
  }
  return service;
}

/** Receipts in the order the stream delivers them: (txn, id). */
export function inDeliveryOrder(receipts: any[]): any[] {
  return [...receipts].sort((a, b) => {
    const byTxn = BigInt(a.txn) - BigInt(b.txn);
    return byTxn !== 0n ? (byTxn < 0n ? -1 : 1) : a.id - b.id;
  });
}

/** How many accepted (2xx) pushes each jti got. */
export function acceptedPerJti(pushes: Push[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const push of pushes)
    if (push.answered >= 200 && push.answered < 300) {
      const jti = push.verified.claims.jti;
      counts.set(jti, (counts.get(jti) ?? 0) + 1);
    }
  return counts;
}
