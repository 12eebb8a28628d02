import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { runCommand } from './service-process';

/**
 * A PostgreSQL cluster of a test's own (Debian's pg_createcluster, as root), on a free port, trust auth: the test
 * may stop and start it without touching the shared server on 5432.
 */
export interface PgCluster {
  version: string;
  name: string;
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/<database> */
  url(database?: string): string;
  start(): Promise<number>;
  /** `pg_ctlcluster ... stop -m fast`; resolves with the milliseconds it took. */
  stop(): Promise<number>;
  drop(): Promise<void>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function must(command: string, args: string[]) {
  const result = await runCommand(command, args, {}, 120_000);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')}: ${result.code}\n${result.stdout}${result.stderr}`);
  return result;
}

/** The newest PostgreSQL major installed (/usr/lib/postgresql/<version>). */
function installedVersion(): string {
  const versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v));
  if (versions.length === 0) throw new Error('no PostgreSQL under /usr/lib/postgresql: pg_createcluster is needed');
  return versions.sort((a, b) => Number(b) - Number(a))[0];
}

export async function createCluster(prefix = 'sh_test'): Promise<PgCluster> {
  const version = installedVersion();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  let port = 0;
  for (let attempt = 0; attempt < 50 && !port; attempt++) {
    const candidate = 55432 + randomInt(1, 5000);
    if (await portIsFree(candidate)) port = candidate;
  }
  if (!port) throw new Error('no free port for a PostgreSQL cluster');
  const ctl = (action: string, ...extra: string[]) =>
    must('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action, ...extra]);
  const cluster: PgCluster = {
    version,
    name,
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: async () => (await ctl('start')).ms,
    stop: async () => (await ctl('stop', '-m', 'fast')).ms,
    drop: async () => {
      await runCommand('pg_dropcluster', ['--stop', version, name], {}, 60_000);
    },
  };
  await must('pg_createcluster', [version, name, '--port', String(port), '--', '--auth=trust']);
  try {
    await cluster.start();
  } catch (error) {
    await cluster.drop();
    throw error;
  }
  return cluster;
}

/** Creates a database on a server (its admin URL) and returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
