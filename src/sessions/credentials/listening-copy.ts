import { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Database } from '../../database/database';

/**
 * What the in-memory copies of credentials share (LiveSessionCache, ApiTokenCache): they LISTEN on the channel the
 * tables' triggers NOTIFY, keep and use nothing while not listening, and change their epoch whenever listening
 * starts or stops, so a read that began across the change is not stored. A bound of 0 turns the copy off: it does
 * not listen at all.
 */
export abstract class ListeningCopy implements OnModuleInit, OnModuleDestroy {
  protected listening = false;
  /** Changes whenever listening stops or starts (and wherever a subclass forgets everything). */
  protected epoch = 0;
  private unlisten?: () => Promise<void>;

  protected constructor(
    private readonly db: Database,
    private readonly channel: string,
    protected readonly boundMs: number,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.boundMs === 0) return;
    this.unlisten = await this.db.listen(this.channel, {
      onNotify: (payload) => this.heard(payload),
      onListening: () => this.setListening(true),
      onGap: () => this.setListening(false),
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.setListening(false);
    await this.unlisten?.();
  }

  /** A notification on the channel. */
  protected abstract heard(payload: string): void;

  /** Forgets every copy. */
  protected abstract clear(): void;

  private setListening(listening: boolean): void {
    this.listening = listening;
    this.epoch++;
    this.clear();
  }
}
