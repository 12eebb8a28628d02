import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { DATABASE } from '../../config/tokens';
import { Database } from '../../database/database';
import { OUTBOX_CHANNEL } from './outbox.store';

/**
 * Tells this process's deliverers at once when any process commits new SETs (the outbox triggers NOTIFY on
 * commit), so push and long polls do not wait for their next timer tick. A missed notification only delays.
 */
@Injectable()
export class OutboxSignal implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private unlisten?: () => Promise<void>;

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async onApplicationBootstrap(): Promise<void> {
    const fire = () => this.emitter.emit('set');
    this.unlisten = await this.db.listen(OUTBOX_CHANNEL, { onNotify: fire, onListening: fire, onGap: fire });
  }

  async onModuleDestroy(): Promise<void> {
    await this.unlisten?.();
  }

  /** Calls `listener` whenever SETs may have arrived; answers the unsubscribe. */
  onSet(listener: () => void): () => void {
    this.emitter.on('set', listener);
    return () => this.emitter.off('set', listener);
  }

  /** Settles at the next notification, after `ms`, or when `signal` aborts, whichever is first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('set', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.emitter.once('set', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
