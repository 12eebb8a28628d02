// First: signals during the seconds of loading and building are held for the real handlers (early-signals.ts).
import './ops/early-signals';
import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { configHelp, loadConfig } from './config/app-config';
import { runMigrations } from './database/migrate';
import { DOCS_PATH } from './docs/swagger';
import { FACES } from './faces';
import { closeOnSignals, superviseWorkers } from './ops/graceful-shutdown';
import { limitHeapGrowth } from './ops/heap-growth';
import { serveClusterMetrics } from './ops/metrics-cluster';

async function serve(): Promise<void> {
  const config = loadConfig();
  const app = await createApp({ config });
  // Signalled while starting: closing already, so it does not start listening.
  if (closeOnSignals(app, config)) return;
  await app.listen(config.PORT, '0.0.0.0');
  if (!cluster.isWorker || cluster.worker?.id === 1) {
    const engine = config.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${config.DATA_DIR}`;
    const faces = FACES.map((face) => face.document.slug).join(', ');
    Logger.log(`SessionHub serves ${faces} on http://localhost:${config.PORT} (${engine})`, 'main');
    Logger.log(`Swagger UI: http://localhost:${config.PORT}/${DOCS_PATH}; health: /-/health/ready/`, 'main');
  }
}

/** WORKERS=N forks N processes behind one port; the primary migrates first so workers start on a ready schema. */
async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(configHelp());
    return;
  }
  const config = loadConfig();
  limitHeapGrowth(config.HEAP_GROWTH_PERCENT, config.HEAP_TARGET_MB);
  if (config.WORKERS > 1 && cluster.isPrimary) {
    if (!config.DATABASE_URL)
      throw new Error('WORKERS > 1 needs DATABASE_URL: the embedded database belongs to one process.');
    await runMigrations(config);
    // Every worker's metrics, aggregated here: on METRICS_PORT, or relayed by the worker a /metrics scrape reaches.
    await serveClusterMetrics(config);
    superviseWorkers(config.WORKERS);
    return;
  }
  await serve();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
