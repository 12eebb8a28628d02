import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/tokens';
import { NO_SESSION_OBSERVER, SESSION_OBSERVER, SessionObserver } from '../lifecycle/session-observer';
import { EventStore } from '../persistence/event.store';
import { HousekeepingStore } from '../persistence/housekeeping.store';

export interface HousekeepingReport {
  expired: number;
  purged: number;
  /** Events past EVENT_RETENTION_DAYS deleted. */
  eventsPurged: number;
}

const BATCH = 1000;

/**
 * Marks expired sessions complete, purges those ended past retention, events past theirs and spent per-user agent
 * counters, every HOUSEKEEPING_INTERVAL_SECONDS, once per deployment: each tick of every process tries to take the
 * interval's lease in the database, and only the one that gets it works (a lease row, not a session advisory lock,
 * so no connection is held between ticks).
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('housekeeping');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: HousekeepingStore,
    private readonly events: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SESSION_OBSERVER) private readonly observer: SessionObserver = NO_SESSION_OBSERVER,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.HOUSEKEEPING_INTERVAL_SECONDS;
    this.timer = setInterval(() => void this.tick(seconds), seconds * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(intervalSeconds: number): Promise<void> {
    try {
      if (!(await this.store.takeLease('housekeeping', intervalSeconds))) return;
      const started = Date.now();
      const report = await this.run();
      this.logger.log(
        `housekeeping: ${report.expired} expired sessions marked complete, ${report.purged} purged, ` +
          `${report.eventsPurged} events purged (${Date.now() - started} ms)`,
      );
    } catch (error) {
      this.logger.error(`housekeeping failed: ${String(error)}`);
    }
  }

  /** One pass, in batches so no transaction holds many rows; returns what it did. */
  async run(): Promise<HousekeepingReport> {
    let expired = 0;
    for (let n = -1; n !== 0;) expired += n = await this.store.sweepExpired(BATCH);
    let purged = 0;
    for (let n = -1; n !== 0;) purged += n = await this.store.purgeEnded(this.config.RETENTION_DAYS, BATCH);
    let eventsPurged = 0;
    for (let n = -1; n !== 0;) eventsPurged += n = await this.events.purge(this.config.EVENT_RETENTION_DAYS, BATCH);
    for (let n = -1; n !== 0;) n = await this.store.pruneSpentAgentCounts(BATCH);
    // Totals of the event history count from here on only what arrives after this.
    await this.events.advanceCountCheckpoint();
    this.observer.sessionsEnded('system', 'expired', 'system', expired);
    this.observer.housekeepingRan(expired, purged, eventsPurged);
    return { expired, purged, eventsPurged };
  }
}
