import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/tokens';
import { SessionStore } from '../persistence/session.store';

export interface HousekeepingReport {
  expired: number;
  purged: number;
}

const BATCH = 1000;

/** Marks expired sessions complete and purges those ended past retention, now and on a timer. */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('housekeeping');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sessions: SessionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.run().catch((error: unknown) => this.logger.error(`housekeeping failed: ${String(error)}`));
    }, 5 * 60_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass, in batches so no transaction holds many rows; returns what it did. */
  async run(): Promise<HousekeepingReport> {
    let expired = 0;
    for (let n = -1; n !== 0;) expired += n = await this.sessions.sweepExpired(BATCH);
    let purged = 0;
    for (let n = -1; n !== 0;) purged += n = await this.sessions.purgeEnded(this.config.RETENTION_DAYS, BATCH);
    return { expired, purged };
  }
}
