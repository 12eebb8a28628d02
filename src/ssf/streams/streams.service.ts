import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/tokens';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { OutboxStore } from '../delivery/outbox.store';
import { AuthenticatedReceiver } from '../receivers/receivers.service';
import { EVENT_TYPES } from '../ssf-events';
import { Stream } from '../tables/ssf-streams.table';
import { parseStatusUpdate, parseStreamBody, parseVerification, settingsOf } from './stream.request';
import { StreamsStore } from './streams.store';
import { parseSubjectChange } from './subject.request';

/** More streams than this per receiver is refused (409): each costs a join in every outbox trigger. */
export const MAX_STREAMS_PER_RECEIVER = 25;

/** SSF's stream management (§8): a receiver's own streams only; another receiver's stream is not found. */
@Injectable()
export class StreamsService {
  constructor(
    private readonly streams: StreamsStore,
    private readonly outbox: OutboxStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The issuer of a stream's SETs: SSF_ISSUER, else the base URL the stream was created at. */
  issuerOf(stream: Stream): string {
    return this.config.SSF_ISSUER ?? stream.issuer;
  }

  async create({ receiver }: AuthenticatedReceiver, body: unknown, requestBaseUrl: string): Promise<Stream> {
    const { changes } = parseStreamBody(body, 'create', this.allowHttp);
    const stream = await this.streams.insertWithin(MAX_STREAMS_PER_RECEIVER, {
      id: randomUUID(),
      receiver_id: receiver.id,
      issuer: this.config.SSF_ISSUER ?? requestBaseUrl,
      audience: receiver.audience,
      ...settingsOf(changes),
      status: 'enabled',
      min_verification_interval: this.config.SSF_MIN_VERIFICATION_INTERVAL_SECONDS,
    });
    if (!stream)
      throw new DomainError(
        DomainErrorCode.Conflict,
        `A receiver may have at most ${MAX_STREAMS_PER_RECEIVER} streams.`,
      );
    return stream;
  }

  async get({ receiver }: AuthenticatedReceiver, streamId: string): Promise<Stream> {
    const stream = await this.streams.find(receiver.id, streamId);
    if (!stream) throw DomainError.notFound('Stream');
    return stream;
  }

  list({ receiver }: AuthenticatedReceiver): Promise<Stream[]> {
    return this.streams.list(receiver.id);
  }

  /** PATCH changes the fields given; PUT replaces every receiver-supplied field (absent ones take defaults). */
  async update(auth: AuthenticatedReceiver, body: unknown, mode: 'update' | 'replace'): Promise<Stream> {
    const { streamId, changes } = parseStreamBody(body, mode, this.allowHttp);
    const current = await this.get(auth, streamId!);
    const settings = settingsOf(changes, mode === 'update' ? toSettings(current) : undefined);
    const saved = await this.streams.saveSettings(auth.receiver.id, current.id, settings);
    if (!saved) throw DomainError.notFound('Stream');
    return saved;
  }

  async delete({ receiver }: AuthenticatedReceiver, streamId: string): Promise<void> {
    if (!(await this.streams.delete(receiver.id, streamId))) throw DomainError.notFound('Stream');
  }

  /** A receiver's status change: disabling drops what is pending; enabling wakes delivery. */
  async updateStatus(auth: AuthenticatedReceiver, body: unknown): Promise<Stream> {
    const { streamId, status, reason } = parseStatusUpdate(body);
    await this.get(auth, streamId);
    return this.streams.transaction(async (tx) => {
      if (status === 'disabled') await this.outbox.dropPending(tx, streamId, 'dropped: the stream was disabled');
      if (status === 'enabled') await tx.rows(`SELECT pg_notify('ssf_outbox', '')`);
      return this.streams.setStatus(tx, streamId, status, reason);
    });
  }

  async changeSubject(auth: AuthenticatedReceiver, body: unknown, included: boolean): Promise<void> {
    const { streamId, subject } = parseSubjectChange(body);
    await this.get(auth, streamId);
    await this.streams.transaction((tx) => this.streams.saveSubject(tx, streamId, subject, included));
  }

  /** Queues a verification SET echoing `state`; 429 with Retry-After within min_verification_interval. */
  async verify(auth: AuthenticatedReceiver, body: unknown): Promise<void> {
    const { streamId, state } = parseVerification(body);
    await this.get(auth, streamId);
    await this.streams.transaction(async (tx) => {
      const slot = await this.streams.takeVerificationSlot(tx, streamId);
      if (!slot.taken)
        throw new DomainError(
          DomainErrorCode.RateLimited,
          'Verified too recently: wait for min_verification_interval.',
          undefined,
          slot.waitSeconds,
        );
      await this.outbox.enqueue(tx, streamId, EVENT_TYPES.verification, state === null ? {} : { state });
    });
  }

  private get allowHttp(): boolean {
    return this.config.SSF_PUSH_ALLOW_HTTP === 'on';
  }
}

function toSettings(stream: Stream) {
  return {
    delivery_method: stream.deliveryMethod,
    endpoint_url: stream.endpointUrl,
    authorization_header: stream.authorizationHeader,
    events_requested: stream.eventsRequested,
    events_delivered: stream.eventsDelivered,
    description: stream.description,
  };
}
