import { Module } from '@nestjs/common';
import { OutboxSignal } from './delivery/outbox-signal';
import { OutboxStore } from './delivery/outbox.store';
import { PollService } from './delivery/poll.service';
import { PushDeliverer } from './delivery/push-deliverer';
import { ReceiverGuard } from './http/receiver.guard';
import { ReceiversService } from './receivers/receivers.service';
import { ReceiversStore } from './receivers/receivers.store';
import { SetSigner } from './signing/set-signer';
import { SigningKeys } from './signing/signing-keys';
import { SsfAdminService } from './ssf-admin.service';
import { SsfDiscoveryController } from './ssf-discovery.controller';
import { SsfHubController } from './ssf-hub.controller';
import { SsfStreamsController } from './ssf-streams.controller';
import { SsfTokenController } from './ssf-token.controller';
import { StreamsService } from './streams/streams.service';
import { StreamsStore } from './streams/streams.store';

/**
 * The OpenID Shared Signals transmitter (docs/shared-signals.md): discovery, receivers and their tokens, streams, and the
 * delivery of the SETs the outbox triggers record, by push and by poll. A face (src/ssf/ssf.face.ts): FACES imports
 * it and Swagger UI offers its document.
 */
@Module({
  controllers: [SsfDiscoveryController, SsfTokenController, SsfStreamsController, SsfHubController],
  providers: [
    SigningKeys,
    SetSigner,
    ReceiversStore,
    ReceiversService,
    ReceiverGuard,
    StreamsStore,
    StreamsService,
    OutboxStore,
    OutboxSignal,
    PushDeliverer,
    PollService,
    SsfAdminService,
  ],
})
export class SsfModule {}
