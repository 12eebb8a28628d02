import { Logger } from '@nestjs/common';
import cluster, { Worker } from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { listenForScrapes } from './metrics-endpoint';

/**
 * Metrics of WORKERS > 1, aggregated by prom-client's cluster support.
 *
 * With node:cluster the workers share one listening socket and the kernel (or the primary, round-robin) hands each
 * connection to any worker, so a scrape answered by a worker from its own registry would show one worker's
 * numbers, a different one each time. Only the primary can ask every worker: `AggregatorRegistry.clusterMetrics()`
 * sends each worker an IPC request, prom-client's listener in the worker answers with its registry as JSON, and the
 * primary merges them (counters and histograms summed; gauges by their `aggregator`: the database-read gauges use
 * 'max' so they are not multiplied by the worker count).
 *
 * Where Prometheus scrapes:
 * - METRICS_PORT > 0: the primary listens on it itself (workers never bind it);
 * - METRICS_PORT = 0: /metrics on the service port, in whichever worker gets the connection; that worker relays
 *   the scrape to the primary over IPC and answers with the aggregated text (the same for every worker).
 */

const RELAY_REQUEST = 'sessionhub:metrics-request';
const RELAY_RESPONSE = 'sessionhub:metrics-response';
const RELAY_TIMEOUT_MS = 10_000;

interface RelayRequest {
  type: typeof RELAY_REQUEST;
  id: number;
}

interface RelayResponse {
  type: typeof RELAY_RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** The primary: aggregates on request of a worker's /metrics, and listens on METRICS_PORT when it is set. */
export async function serveClusterMetrics(config: AppConfig): Promise<void> {
  if (config.METRICS !== 'on') return;
  const logger = new Logger('metrics');
  const aggregator = new AggregatorRegistry();
  // One aggregation at a time: concurrent scrapes share it rather than each asking every worker.
  let running: Promise<string> | null = null;
  const aggregated = () => {
    running ??= aggregator.clusterMetrics().finally(() => (running = null));
    return running;
  };
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage<RelayRequest>(message, RELAY_REQUEST)) return;
    const answer = (response: Omit<RelayResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RELAY_RESPONSE, id: message.id, ...response });
    };
    aggregated().then(
      (text) => answer({ text }),
      (error: unknown) => answer({ error: String(error) }),
    );
  });
  if (config.METRICS_PORT > 0) {
    await listenForScrapes(config.METRICS_PORT, config.METRICS_TOKEN, aggregated, (error) =>
      logger.warn(`aggregating worker metrics failed: ${String(error)}`),
    );
    logger.log(`metrics of all ${config.WORKERS} workers: http://localhost:${config.METRICS_PORT}/metrics`);
  }
}

/** A worker: its registry is the one prom-client's worker-side listener answers the primary with. */
export function shareWithPrimary(registry: Registry): void {
  // Constructing an AggregatorRegistry installs prom-client's IPC listener (once per process).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

let nextId = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
let listening = false;

/** A worker: the aggregated text of every worker, from the primary. */
export function metricsFromPrimary(): Promise<string> {
  if (!listening) {
    listening = true;
    process.on('message', (message: unknown) => {
      if (!isMessage<RelayResponse>(message, RELAY_RESPONSE)) return;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.text ?? '');
    });
  }
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary did not answer with the aggregated metrics'));
    }, RELAY_TIMEOUT_MS);
    pending.set(id, {
      resolve: (text) => {
        clearTimeout(timer);
        resolve(text);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    process.send!({ type: RELAY_REQUEST, id } satisfies RelayRequest);
  });
}
