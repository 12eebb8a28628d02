import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/tokens';
import { DomainError } from '../../sessions/domain-error';
import { AuthenticatedReceiver } from '../receivers/receivers.service';
import { SetSigner } from '../signing/set-signer';
import { DELIVERY_METHODS } from '../ssf-events';
import { StreamsService } from '../streams/streams.service';
import { OutboxSignal } from './outbox-signal';
import { OutboxStore } from './outbox.store';
import { parsePoll } from './poll.request';

/** How often a waiting poll looks again without a notification (unacknowledged SETs come due by the clock). */
const RECHECK_MS = 1000;

export interface PollAnswer {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

/**
 * Poll delivery (RFC 8936): acknowledgements and errors first, then up to maxEvents SETs in stream order; without
 * returnImmediately the request waits for SETs up to SSF_POLL_WAIT_SECONDS. A handed-out SET is handed out again
 * when it is not acknowledged within SSF_POLL_REDELIVERY_SECONDS.
 */
@Injectable()
export class PollService {
  constructor(
    private readonly streams: StreamsService,
    private readonly outbox: OutboxStore,
    private readonly signer: SetSigner,
    private readonly signal: OutboxSignal,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async poll(
    auth: AuthenticatedReceiver,
    streamId: string,
    body: unknown,
    clientGone: AbortSignal,
  ): Promise<PollAnswer> {
    const stream = await this.streams.get(auth, streamId);
    if (stream.deliveryMethod !== DELIVERY_METHODS.poll)
      throw DomainError.invalid('stream_id', 'This stream is delivered by push, not poll.');
    const request = parsePoll(body);
    await this.outbox.acknowledge(stream.id, request.ack, request.errors);
    const redelivery = this.config.SSF_POLL_REDELIVERY_SECONDS;
    if (request.maxEvents === 0)
      return { sets: {}, moreAvailable: await this.outbox.hasPollable(stream.id, redelivery) };
    const deadline = Date.now() + (request.returnImmediately ? 0 : this.config.SSF_POLL_WAIT_SECONDS * 1000);
    let entries = await this.outbox.claimForPoll(stream.id, request.maxEvents, redelivery);
    while (entries.length === 0 && Date.now() < deadline && !clientGone.aborted) {
      await this.signal.wait(Math.min(deadline - Date.now(), RECHECK_MS), clientGone);
      entries = await this.outbox.claimForPoll(stream.id, request.maxEvents, redelivery);
    }
    const issuer = this.streams.issuerOf(stream);
    const sets: Record<string, string> = {};
    for (const entry of entries) sets[entry.jti] = await this.signer.sign(entry, issuer, stream.audience);
    const moreAvailable =
      entries.length === request.maxEvents && (await this.outbox.hasPollable(stream.id, redelivery));
    return { sets, moreAvailable };
  }
}
