import { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Database } from '../../database/database';

/**
 * What the in-memory copies of credentials share (LiveSessionCache, AccountCache): they LISTEN on the channel the
 * tables' triggers NOTIFY, keep and use nothing while not listening, and change their epoch whenever listening
 * starts or stops, so a read that began across the change is not stored. A bound of 0 turns the copy off: it does
 * not listen at all.
 *
 * When a key is missing or has aged out, concurrent requests with that key share one read instead of each reading
 * (`inFlight`, `startRead`): a key in use by many requests at once would otherwise bring as many reads each time
 * its copy ages out. A request joins only a read that began since the last change heard (`forgetReads`), so it
 * never takes an answer read before a change it could know of.
 */
/** Taken before a database read, so what it read is not kept if a change (or a gap in listening) came meanwhile. */
export interface ReadTicket {
  /** When the read began: what it read is used until then + the bound. */
  at: number;
  epoch: number;
}

export abstract class ListeningCopy implements OnModuleInit, OnModuleDestroy {
  protected listening = false;
  /** Changes whenever listening stops or starts (and wherever a subclass forgets everything). */
  protected epoch = 0;
  private unlisten?: () => Promise<void>;
  /** Reads in flight by key, that requests missing the same key may join. */
  private readonly reading = new Map<string, Promise<unknown>>();

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

  /** Taken before a read of the database (ReadTicket). */
  ticket(): ReadTicket {
    return { at: Date.now(), epoch: this.epoch };
  }

  /** The read of `key` in flight, if one began since the last change heard; undefined: start one. */
  protected inFlight<T>(key: string): Promise<T> | undefined {
    return this.reading.get(key) as Promise<T> | undefined;
  }

  /** Runs `read`, shared with the requests for `key` that come while it runs (none while not listening). */
  protected startRead<T>(key: string, read: () => Promise<T>): Promise<T> {
    const started: Promise<T> = read().finally(() => {
      if (this.reading.get(key) === started) this.reading.delete(key);
    });
    if (this.listening) this.reading.set(key, started);
    return started;
  }

  /** No request joins a read already in flight: something changed, and they may have begun before it. */
  protected forgetReads(): void {
    this.reading.clear();
  }

  /** A notification on the channel. */
  protected abstract heard(payload: string): void;

  /** Forgets every copy. */
  protected abstract clear(): void;

  private setListening(listening: boolean): void {
    this.listening = listening;
    this.epoch++;
    this.forgetReads();
    this.clear();
  }
}
