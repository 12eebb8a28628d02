import { Injectable } from '@nestjs/common';
import { DomainError } from '../sessions/domain-error';
import { requireSuperuser } from '../sessions/policy/access-policy';
import { Caller } from '../sessions/session.model';
import { OutboxStore } from './delivery/outbox.store';
import { Rotation, SigningKeys } from './signing/signing-keys';
import { StreamsStore } from './streams/streams.store';
import { OutboxEntry } from './tables/ssf-outbox.table';
import { Stream } from './tables/ssf-streams.table';

/** What superusers see and do through the hub: every stream, delivery receipts, key rotation. */
@Injectable()
export class SsfAdminService {
  constructor(
    private readonly streams: StreamsStore,
    private readonly outbox: OutboxStore,
    private readonly keys: SigningKeys,
  ) {}

  listStreams(caller: Caller): Promise<Stream[]> {
    requireSuperuser(caller);
    return this.streams.list(null);
  }

  async deliveries(caller: Caller, streamId: string, before: number | null, limit: number): Promise<OutboxEntry[]> {
    requireSuperuser(caller);
    if (!(await this.streams.findById(streamId))) throw DomainError.notFound('Stream');
    return this.outbox.receipts(streamId, before, limit);
  }

  rotateKey(caller: Caller): Promise<Rotation> {
    requireSuperuser(caller);
    return this.keys.rotate();
  }
}
