import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG, DATABASE } from '../../config/tokens';
import { Database } from '../../database/database';
import { ReceiversStore } from '../receivers/receivers.store';
import { SetSigner } from '../signing/set-signer';
import { EVENT_TYPES } from '../ssf-events';
import { StreamsService } from '../streams/streams.service';
import { StreamsStore } from '../streams/streams.store';
import { OutboxEntry } from '../tables/ssf-outbox.table';
import { Stream } from '../tables/ssf-streams.table';
import { OutboxSignal } from './outbox-signal';
import { OutboxStore, PushOutcome } from './outbox.store';
import { pushSet, PushPolicy } from './push-request';

/** Retries, missed notifications and paused backlogs are looked at this often. */
const TICK_MS = 1000;
/** Streams one pass claims, and SETs pushed per stream before its claim is given back for others to take. */
const STREAMS_PER_PASS = 16;
const SETS_PER_CLAIM = 200;
const PURGE_EVERY_MS = 10 * 60 * 1000;

/**
 * Pushes SETs to push streams (RFC 8935), in order per stream, from every process: a process claims a stream for a
 * lease (a row update, so no connection is held while it waits on a receiver) and pushes its SETs one at a time;
 * no other process pushes that stream until the lease is given back or has run out, which takes longer than a
 * push may. A SET that keeps failing stops its stream's queue until its next retry, so later SETs never overtake it.
 */
@Injectable()
export class PushDeliverer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ssf');
  private readonly owner = randomUUID();
  private readonly policy: PushPolicy;
  private readonly leaseSeconds: number;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private running = false;
  private again = false;
  private stopped = false;
  private purgedAt = 0;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly streams: StreamsStore,
    private readonly streamsService: StreamsService,
    private readonly receivers: ReceiversStore,
    private readonly signer: SetSigner,
    private readonly signal: OutboxSignal,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.policy = {
      timeoutMs: config.SSF_PUSH_TIMEOUT_SECONDS * 1000,
      retryBaseMs: config.SSF_PUSH_RETRY_BASE_MS,
      retryMaxSeconds: config.SSF_PUSH_RETRY_MAX_SECONDS,
    };
    this.leaseSeconds = 2 * config.SSF_PUSH_TIMEOUT_SECONDS + 5;
  }

  onApplicationBootstrap(): void {
    this.unsubscribe = this.signal.onSet(() => this.wake());
    this.timer = setInterval(() => this.wake(), TICK_MS);
    this.timer.unref();
    this.wake();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
      if (this.again) this.wake();
    });
  }

  private async run(): Promise<void> {
    try {
      await this.housekeep();
      let claimed: Stream[];
      do {
        this.again = false;
        claimed = await this.outbox.claimPushStreams(this.owner, this.leaseSeconds, STREAMS_PER_PASS);
        await Promise.all(claimed.map((stream) => this.deliver(stream)));
      } while (!this.stopped && claimed.length > 0);
    } catch (error) {
      if (!this.stopped) this.logger.error(`ssf: push delivery failed: ${String(error)}`);
    }
  }

  private async deliver(stream: Stream): Promise<void> {
    try {
      for (let pushed = 0; pushed < SETS_PER_CLAIM && !this.stopped; pushed++) {
        const entry = await this.outbox.duePushHead(stream.id, this.owner);
        if (!entry || !(await this.outbox.renewLease(stream.id, this.owner, this.leaseSeconds))) return;
        const set = await this.signer.sign(entry, this.streamsService.issuerOf(stream), stream.audience);
        const outcome = await pushSet(
          stream.endpointUrl!,
          stream.authorizationHeader,
          set,
          entry.attempts + 1,
          this.policy,
        );
        const attempts = await this.db.transaction((tx) => this.outbox.recordPush(tx, entry, this.owner, outcome));
        if (outcome.kind === 'retry') {
          if (attempts >= this.config.SSF_PUSH_MAX_ATTEMPTS) await this.giveUp(stream, entry, outcome);
          return;
        }
      }
    } finally {
      await this.outbox.releaseLease(stream.id, this.owner);
    }
  }

  /**
   * A SET that failed SSF_PUSH_MAX_ATTEMPTS times is failed, and its stream paused so later SETs wait in the
   * (bounded) backlog instead of each failing in turn; a stream-updated SET tells the receiver once it resumes.
   */
  private async giveUp(stream: Stream, entry: OutboxEntry, outcome: PushOutcome & { kind: 'retry' }): Promise<void> {
    const reason = `Paused by SessionHub: SET ${entry.jti} could not be pushed in ${this.config.SSF_PUSH_MAX_ATTEMPTS} attempts (last: ${outcome.error}).`;
    await this.streams.transaction(async (tx) => {
      await this.outbox.giveUp(tx, entry);
      await this.streams.setStatus(tx, stream.id, 'paused', reason);
      await this.outbox.enqueue(tx, stream.id, EVENT_TYPES.streamUpdated, { status: 'paused', reason });
    });
    this.logger.warn(`ssf: stream ${stream.id} paused: ${reason}`);
  }

  /** Trims paused backlogs every tick (so the bound holds within a second) and purges old receipts now and then. */
  private async housekeep(): Promise<void> {
    if (await this.outbox.hasPausedStreams()) await this.outbox.trimPausedBacklogs(this.config.SSF_PAUSED_BACKLOG);
    if (Date.now() - this.purgedAt < PURGE_EVERY_MS) return;
    this.purgedAt = Date.now();
    await this.outbox.purgeFinished(this.config.RETENTION_DAYS);
    await this.receivers.purgeExpiredTokens();
  }
}
