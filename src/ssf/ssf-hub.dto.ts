import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min, ValidateBy } from 'class-validator';
import { Receiver } from './tables/ssf-receivers.table';
import { OutboxEntry } from './tables/ssf-outbox.table';
import { Stream } from './tables/ssf-streams.table';

/** PostgreSQL cannot store NUL characters in text. */
const NoNul = () =>
  ValidateBy({
    name: 'noNul',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !value.includes('\u0000'),
      defaultMessage: (args) => `${args?.property ?? 'value'} must not contain NUL characters`,
    },
  });

export class RegisterReceiverRequest {
  @ApiProperty({ description: 'Who the receiver is, for people.', example: 'Billing service' })
  @IsString()
  @Length(1, 200)
  @NoNul()
  name!: string;

  @ApiPropertyOptional({ description: "The `aud` of the receiver's SETs; default: its client id." })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  @NoNul()
  audience?: string;
}

export class ListDeliveriesQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  before?: number;
}

export const toHubReceiver = (receiver: Receiver) => ({
  clientId: receiver.clientId,
  name: receiver.name,
  audience: receiver.audience,
  createdAt: receiver.createdAt.toISOString(),
});

export const toHubStream = (stream: Stream) => ({
  streamId: stream.id,
  receiverId: stream.receiverId,
  status: stream.status,
  statusReason: stream.statusReason,
  deliveryMethod: stream.deliveryMethod,
  endpointUrl: stream.endpointUrl,
  eventsDelivered: stream.eventsDelivered,
  subjectsRestricted: stream.subjectsRestricted,
  dropped: stream.dropped,
  createdAt: stream.createdAt.toISOString(),
});

const iso = (value: Date | null) => value?.toISOString() ?? null;

/** A SET's delivery receipt. */
export const toHubDelivery = (entry: OutboxEntry) => ({
  id: entry.id,
  jti: entry.jti,
  txn: entry.txn,
  eventType: entry.eventType,
  subject: entry.subId,
  state: entry.state,
  attempts: entry.attempts,
  lastStatus: entry.lastStatus,
  lastError: entry.lastError,
  createdAt: entry.createdAt.toISOString(),
  nextAttemptAt: entry.state === 'pending' ? entry.nextAttemptAt.toISOString() : null,
  deliveredAt: iso(entry.deliveredAt),
  ackedAt: iso(entry.ackedAt),
});
