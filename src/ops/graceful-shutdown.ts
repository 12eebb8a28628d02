import { INestApplication, Logger } from '@nestjs/common';
import cluster, { Worker } from 'node:cluster';
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { EarlySignal, remainingGraceMs, takeEarlySignal } from './early-signals';
import { ShutdownState } from './shutdown-state';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** Closing waits until no request has been in flight, nor arrived, for this long... */
const QUIET_MS = 300;
/** ...but only work holds it longer than this: a client polling readiness must not hold the shutdown up. */
const QUIET_MAX_MS = 2000;
const logger = new Logger('shutdown');

/**
 * Counts requests in flight, and from `closing()` on makes every answer close its connection, so no keep-alive
 * connection is left idle with a request the server has not read yet when the listener closes.
 */
function trackRequests(server: Server) {
  let inFlight = 0;
  let lastActivity = Date.now();
  let lastWork = 0;
  let closing = false;
  server.on('connection', () => (lastActivity = Date.now()));
  // Before Fastify's own listener, which may answer at once (a 503 while closing): the header must be set first.
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    inFlight++;
    lastActivity = Date.now();
    if (closing && !response.headersSent) response.setHeader('Connection', 'close');
    response.once('close', () => {
      inFlight--;
      lastActivity = Date.now();
      // Readiness probes (503 while closing) are not work a client is waiting to go on with.
      if (response.statusCode !== 503) lastWork = lastActivity;
    });
  });
  return {
    closing: () => (closing = true),
    quiet: () => inFlight === 0 && Date.now() - lastActivity >= QUIET_MS,
    /**
     * Requests are being answered, or one was a moment ago: a keep-alive client told to close its connection sends
     * its next request on a new one, which must find the listener open.
     */
    working: () => inFlight > 0 || Date.now() - lastWork < QUIET_MS,
  };
}

/**
 * Resolves after the event loop's poll phase has run: connections and requests that arrived while the loop was busy
 * (a long synchronous query of the embedded database) are accepted and read, so they are counted.
 */
const afterPoll = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A worker of WORKERS=N drains at least 1 s: the primary holds the listening socket and keeps handing connections
 * to workers until the last one has closed, so a worker that closed at once would see connections it can no longer
 * take (refused). A second is far longer than the primary needs to hand over what it has accepted.
 */
export function drainSeconds(config: AppConfig): number {
  return cluster.isWorker ? Math.max(1, config.SHUTDOWN_DRAIN_SECONDS) : config.SHUTDOWN_DRAIN_SECONDS;
}

/**
 * SIGTERM / SIGINT in a serving process: readiness turns 503 at once; after the drain (above) every answer
 * closes its connection and the process waits until requests stop (in flight or just arrived, whose bytes may
 * still be unread while the event loop was busy); then the listener closes, the database closes, and the process
 * exits 0. Past SHUTDOWN_GRACE_SECONDS it exits 1 regardless. Returns the signal that arrived while the process was
 * starting, if one did: it is closing already, and must not start listening.
 */
export function closeOnSignals(app: INestApplication, config: AppConfig): EarlySignal | null {
  const requests = trackRequests(app.getHttpServer() as Server);
  let closing = false;
  let early: EarlySignal | null = null;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: draining`);
    app.get(ShutdownState).begin();
    setTimeout(
      () => {
        logger.error(`still busy after ${config.SHUTDOWN_GRACE_SECONDS} s; exiting`);
        process.exit(1);
      },
      remainingGraceMs(config.SHUTDOWN_GRACE_SECONDS, early),
    ).unref();
    await sleep(drainSeconds(config) * 1000);
    requests.closing();
    const deadline = Date.now() + QUIET_MAX_MS;
    // Past QUIET_MAX_MS only work holds the close (a slow login, a client's queue of requests), up to the grace period.
    const mayClose = () => requests.quiet() || (Date.now() >= deadline && !requests.working());
    for (;;) {
      await sleep(50);
      // Accepting a connection and reading its request take a poll phase each: a connection still in the listener's
      // backlog when it closes is reset.
      await afterPoll();
      await afterPoll();
      if (mayClose()) break;
    }
    try {
      await app.close();
    } catch (error) {
      logger.error(`closing failed: ${error instanceof Error ? error.stack : String(error)}`);
      process.exit(1);
    }
    logger.log('closed');
    process.exit(0);
  };
  // The real handlers first, then the early one goes (see takeEarlySignal).
  for (const signal of SIGNALS) process.on(signal, (s) => void close(s));
  early = takeEarlySignal();
  if (early) void close(early.signal);
  return early;
}

/**
 * The primary of WORKERS=N: a worker that dies is replaced, except while shutting down; on a signal the primary
 * forwards it to every worker and exits once all have: 0 when every worker closed cleanly, 1 otherwise.
 */
export function superviseWorkers(count: number): void {
  let stopping = false;
  let failed = false;
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) {
      if (code !== 0 || signal) {
        failed = true;
        logger.error(`worker ${worker.process.pid} did not close cleanly (${signal ?? code})`);
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
      return;
    }
    logger.warn(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (const name of SIGNALS) {
    process.on(name, () => {
      if (stopping) return;
      stopping = true;
      const workers = Object.values(cluster.workers ?? {});
      logger.log(`${name}: stopping ${workers.length} workers`);
      if (workers.length === 0) process.exit(0);
      for (const worker of workers) worker?.process.kill('SIGTERM');
    });
  }
  // The real handlers first, then the early one goes (see takeEarlySignal).
  if (takeEarlySignal()) {
    // Stopped while migrating: no worker was started, nothing is served.
    logger.log('signalled while starting: no workers started');
    process.exit(0);
  }
  for (let i = 0; i < count; i++) cluster.fork();
}
