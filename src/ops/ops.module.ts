import { Global, Module } from '@nestjs/common';
import { NO_SESSION_OBSERVER, SESSION_OBSERVER } from '../sessions/lifecycle/session-observer';
import { Metrics, MetricsListener } from './metrics';
import { RateLimits } from './rate-limits';

/** What an operator runs the service with, offered to every module: rate limits (logs, metrics and headers are
 * Fastify hooks installed in app.factory.ts). */
@Global()
@Module({
  providers: [
    RateLimits,
    Metrics,
    MetricsListener,
    // The domain reports sessions created and ended, and housekeeping, through this; METRICS=off: to nobody.
    {
      provide: SESSION_OBSERVER,
      inject: [Metrics],
      useFactory: (metrics: Metrics) => (metrics.enabled ? metrics : NO_SESSION_OBSERVER),
    },
  ],
  exports: [RateLimits, Metrics, SESSION_OBSERVER],
})
export class OpsModule {}
