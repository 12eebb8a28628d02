import { DELIVERY_METHODS, EVENTS_SUPPORTED } from '../ssf-events';
import { Stream } from '../tables/ssf-streams.table';

/** A stream's configuration as SSF §8.1.1 shows it. The push authorization_header is a secret: never shown back. */
export function toStreamConfiguration(stream: Stream, issuer: string, baseUrl: string): Record<string, unknown> {
  const endpointUrl =
    stream.deliveryMethod === DELIVERY_METHODS.poll ? `${baseUrl}/ssf/poll/${stream.id}` : stream.endpointUrl;
  return {
    stream_id: stream.id,
    iss: issuer,
    aud: stream.audience,
    events_supported: EVENTS_SUPPORTED,
    events_requested: stream.eventsRequested,
    events_delivered: stream.eventsDelivered,
    delivery: { method: stream.deliveryMethod, endpoint_url: endpointUrl },
    min_verification_interval: stream.minVerificationInterval,
    ...(stream.description === null ? {} : { description: stream.description }),
  };
}

export function toStreamStatus(stream: Stream): Record<string, unknown> {
  return {
    stream_id: stream.id,
    status: stream.status,
    ...(stream.statusReason === null ? {} : { reason: stream.statusReason }),
  };
}
