import { INestApplication, Logger } from '@nestjs/common';
import cluster, { Worker } from 'node:cluster';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { ShutdownState } from './shutdown-state';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const logger = new Logger('shutdown');

/**
 * SIGTERM / SIGINT in a serving process: readiness turns 503 at once, after SHUTDOWN_DRAIN_SECONDS the listener
 * stops accepting (Fastify answers requests that still arrive on open connections with 503 and closes them),
 * in-flight requests finish, then the database closes. Past SHUTDOWN_GRACE_SECONDS the process exits anyway.
 */
export function closeOnSignals(app: INestApplication, config: AppConfig): void {
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: draining`);
    app.get(ShutdownState).begin();
    setTimeout(() => {
      logger.error(`still busy after ${config.SHUTDOWN_GRACE_SECONDS} s; exiting`);
      process.exit(1);
    }, config.SHUTDOWN_GRACE_SECONDS * 1000).unref();
    await sleep(config.SHUTDOWN_DRAIN_SECONDS * 1000);
    await app.close();
    logger.log('closed');
    process.exit(0);
  };
  for (const signal of SIGNALS) process.on(signal, (s) => void close(s));
}

/**
 * The primary of WORKERS=N: a worker that dies is replaced, except while shutting down; on a signal the primary
 * forwards it to every worker and exits once all have.
 */
export function superviseWorkers(count: number): void {
  let stopping = false;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.warn(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (const name of SIGNALS) {
    process.on(name, () => {
      if (stopping) return;
      stopping = true;
      logger.log(`${name}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`);
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    });
  }
}
