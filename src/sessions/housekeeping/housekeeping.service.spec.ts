import { AppConfig } from '../../config/app-config';
import { EventStore } from '../persistence/event.store';
import { HousekeepingStore } from '../persistence/housekeeping.store';
import { HousekeepingService } from './housekeeping.service';

/** A backlog of expired sessions that never runs out: each batch marks 1,000 when the test lets it finish. */
class EndlessBacklog {
  batches = 0;
  private release?: () => void;
  private started?: () => void;
  private readonly firstStarted = new Promise<void>((resolve) => (this.started = resolve));

  anyExpiredUnswept(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async sweepExpired(): Promise<number> {
    this.batches++;
    this.started?.();
    await new Promise<void>((resolve) => (this.release = resolve));
    return 1000;
  }

  /** Resolves once the first batch is running. */
  batchRunning(): Promise<void> {
    return this.firstStarted;
  }

  finishBatch(): void {
    this.release?.();
  }
}

describe('HousekeepingService at shutdown', () => {
  it('waits for the sweep in flight and stops it after its current batch', async () => {
    const store = new EndlessBacklog();
    const config = { HOUSEKEEPING_INTERVAL_SECONDS: 3600, EXPIRY_SWEEP_SECONDS: 1 } as AppConfig;
    const service = new HousekeepingService(store as unknown as HousekeepingStore, {} as EventStore, config);
    service.onApplicationBootstrap();
    await store.batchRunning();

    let destroyed = false;
    const destroying = service.onModuleDestroy().then(() => (destroyed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The batch still runs on the database, which must stay open until it ends.
    expect(destroyed).toBe(false);
    store.finishBatch();
    await destroying;
    // No batch after the one in flight, and no tick after shutdown.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(store.batches).toBe(1);
  });
});
