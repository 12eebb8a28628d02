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

/** A free port for a cluster, away from the shared server's. */
export async function clusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 55432 + randomInt(1, 5000);
    if (await portIsFree(candidate)) return candidate;
  }
  throw new Error('no free port for a PostgreSQL cluster');
}

/** The handle of a cluster pg_createcluster knows. */
function handle(version: string, name: string, port: number): PgCluster {
  const ctl = (action: string, ...extra: string[]) =>
    must('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action, ...extra]);
  return {
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
}

/**
 * `durable: false` turns fsync off (initdb's too): seconds faster to create, checkpoint and stop on a busy machine,
 * and only an operating-system crash could lose data, which no test survives anyway.
 */
export async function createCluster(prefix = 'sh_test', options: { durable?: boolean } = {}): Promise<PgCluster> {
  const version = installedVersion();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const cluster = handle(version, name, await clusterPort());
  const durable = options.durable ?? true;
  await must('pg_createcluster', [
    ...[version, name, '--port', String(cluster.port)],
    ...(durable ? [] : ['-o', 'fsync=off']),
    ...['--', '--auth=trust', ...(durable ? [] : ['--no-sync'])],
  ]);
  try {
    await cluster.start();
  } catch (error) {
    await cluster.drop();
    throw error;
  }
  return cluster;
}

/**
 * A hot-standby streaming replica of `primary` (a cluster of createCluster, so trust auth covers replication too),
 * started, on a free port: `pg_basebackup -R -X stream` as the postgres user copies the primary and writes the
 * standby settings, and pg_createcluster adopts the copy (with the primary's configuration files) as a cluster of
 * its own, so pg_ctlcluster stops and starts it like any other. It shares the primary's settings (fsync too).
 */
export async function createReplica(primary: PgCluster, prefix = 'sh_replica', port?: number): Promise<PgCluster> {
  const version = primary.version;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const replica = handle(version, name, port ?? (await clusterPort()));
  const dataDir = `/var/lib/postgresql/${version}/${name}`;
  const owned = ['-o', 'postgres', '-g', 'postgres'];
  try {
    await must('install', ['-d', ...owned, '-m', '700', dataDir]);
    await must('runuser', [
      '-u',
      'postgres',
      '--',
      'pg_basebackup',
      ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir],
      ...['-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    ]);
    for (const file of ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf'])
      await must('install', [...owned, '-m', '600', `/etc/postgresql/${version}/${primary.name}/${file}`, dataDir]);
    await must('pg_createcluster', [version, name, '--port', String(replica.port)]);
    await replica.start();
  } catch (error) {
    await replica.drop();
    await runCommand('rm', ['-rf', dataDir]);
    throw error;
  }
  return replica;
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
