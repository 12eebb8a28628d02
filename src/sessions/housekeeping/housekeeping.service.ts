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
 *
 * Between those passes every process also marks expired sessions every EXPIRY_SWEEP_SECONDS, so few wait unmarked:
 * each list's exact total subtracts the expired sessions not marked yet, at a cost that grows with their number
 * (docs/performance.md, twenty-first stop: 20,000 of them took the unfiltered list from 2,606 to 599 pages/s). No
 * lease: the sweep skips rows another process holds (SKIP LOCKED), and a tick with nothing to mark is one index probe.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('housekeeping');
  private timer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  /** Sweeps and passes in flight: shutdown waits for them before the database closes. */
  private readonly inFlight = new Set<Promise<void>>();
  /** A sweep still running when the next tick comes is not joined by a second one. */
  private sweeping = false;
  /** Set at shutdown: work in flight stops after its current batch. */
  private stopping = false;
  /** Ticks failed in a row (the database unreachable, say): only the first is logged. */
  private failedSweeps = 0;

  constructor(
    private readonly store: HousekeepingStore,
    private readonly events: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SESSION_OBSERVER) private readonly observer: SessionObserver = NO_SESSION_OBSERVER,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.HOUSEKEEPING_INTERVAL_SECONDS;
    this.timer = setInterval(() => this.track(this.tick(seconds)), seconds * 1000);
    this.timer.unref();
    const sweepSeconds = this.config.EXPIRY_SWEEP_SECONDS;
    if (sweepSeconds > 0) {
      this.sweepTimer = setInterval(() => this.track(this.sweepTick()), sweepSeconds * 1000);
      this.sweepTimer.unref();
    }
  }

  /** Stops the ticks and waits for work in flight, which the database (closed at shutdown, after this) still serves. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await Promise.all(this.inFlight);
  }

  /** Keeps `work` (which never throws: it logs) in flight until it ends. */
  private track(work: Promise<void>): void {
    const running = work.finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }

  private async sweepTick(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      if (await this.store.anyExpiredUnswept()) {
        const expired = await this.sweepExpired();
        this.observer.sessionsEnded('system', 'expired', 'system', expired);
        this.observer.expirySwept(expired);
        this.logger.debug(`expiry sweep: ${expired} expired sessions marked complete`);
      }
      if (this.failedSweeps > 0)
        this.logger.warn(`expiry sweep: working again after ${this.failedSweeps} failed ticks`);
      this.failedSweeps = 0;
    } catch (error) {
      // One line when it starts failing and one when it works again: an outage would otherwise log every tick.
      if (this.failedSweeps++ === 0)
        this.logger.error(`expiry sweep failed: ${String(error)} (retried every tick, logged again when it works)`);
    } finally {
      this.sweeping = false;
    }
  }

  /** Marks every session past its expiry, in batches so no transaction holds many rows. */
  private sweepExpired(): Promise<number> {
    return this.inBatches(() => this.store.sweepExpired(BATCH));
  }

  /**
   * Runs `batch` until one does nothing, or until shutdown begins (a pass over a large backlog then stops after its
   * current batch, and the next pass goes on). Returns how many rows the batches did.
   */
  private async inBatches(batch: () => Promise<number>): Promise<number> {
    let done = 0;
    for (let n = -1; n !== 0 && !this.stopping;) done += n = await batch();
    return done;
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
    const expired = await this.sweepExpired();
    const purged = await this.inBatches(() => this.store.purgeEnded(this.config.RETENTION_DAYS, BATCH));
    const eventsPurged = await this.inBatches(() => this.events.purge(this.config.EVENT_RETENTION_DAYS, BATCH));
    await this.inBatches(() => this.store.pruneSpentAgentCounts(BATCH));
    // Totals of the event history count from here on only what arrives after this.
    await this.events.advanceCountCheckpoint();
    this.observer.sessionsEnded('system', 'expired', 'system', expired);
    this.observer.housekeepingRan(expired, purged, eventsPurged);
    return { expired, purged, eventsPurged };
  }
}
