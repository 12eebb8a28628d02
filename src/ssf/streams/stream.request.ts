import { isIP } from 'node:net';
import { DomainError } from '../../sessions/domain-error';
import { checkedString, objectBody, onlyFields, optionalString, requiredString, streamIdOf } from '../http/ssf-input';
import { DELIVERY_METHODS, EVENTS_SUPPORTED, STREAM_STATUSES, StreamStatus } from '../ssf-events';
import { StreamSettings } from '../tables/ssf-streams.table';

/** Fields the transmitter supplies: a receiver may send them back (they are ignored), never change them. */
const TRANSMITTER_SUPPLIED = [
  'stream_id',
  'iss',
  'aud',
  'events_supported',
  'events_delivered',
  'min_verification_interval',
  'inactivity_timeout',
];
const RECEIVER_SUPPLIED = ['events_requested', 'delivery', 'description'];
const MAX_URL = 2048;
const METHODS = `${DELIVERY_METHODS.push} or ${DELIVERY_METHODS.poll}`;
const MAX_EVENT_TYPES = 50;

export type StreamChanges = Partial<Omit<StreamSettings, 'events_delivered'>>;

/** Push endpoints are https, or http on loopback (or anywhere with SSF_PUSH_ALLOW_HTTP=on); never with credentials. */
export function pushEndpoint(value: unknown, allowHttp: boolean): string {
  const text = checkedString(value, 'delivery.endpoint_url', MAX_URL);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw DomainError.invalid('delivery.endpoint_url', 'delivery.endpoint_url must be an absolute URL.');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (loopback || allowHttp)))
    throw DomainError.invalid('delivery.endpoint_url', 'delivery.endpoint_url must be an https URL.');
  if (url.username || url.password || url.hash)
    throw DomainError.invalid(
      'delivery.endpoint_url',
      'delivery.endpoint_url must not carry credentials or a fragment.',
    );
  return url.toString();
}

function parseDelivery(
  value: unknown,
  allowHttp: boolean,
): Pick<StreamSettings, 'delivery_method' | 'endpoint_url' | 'authorization_header'> {
  const delivery = objectBody(value, 'delivery');
  onlyFields(delivery, ['method', 'endpoint_url', 'authorization_header'], 'delivery');
  const method = requiredString(delivery, 'method', 200);
  if (method === DELIVERY_METHODS.poll) {
    // The poll URL is the transmitter's to supply: a receiver's is ignored.
    return { delivery_method: DELIVERY_METHODS.poll, endpoint_url: null, authorization_header: null };
  }
  if (method !== DELIVERY_METHODS.push)
    throw DomainError.invalid('delivery.method', `delivery.method must be ${METHODS}.`);
  if (delivery.endpoint_url === undefined)
    throw DomainError.invalid('delivery.endpoint_url', 'Push delivery needs delivery.endpoint_url.');
  const authorization = optionalString(delivery, 'authorization_header', 4096);
  // Sent as an HTTP header on every push: a value no HTTP client can send (a line break, a control character, a
  // character beyond ASCII) would be accepted here and fail every delivery later.
  if (authorization !== undefined && !/^[\t\x20-\x7e]*$/.test(authorization))
    throw DomainError.invalid(
      'delivery.authorization_header',
      'delivery.authorization_header must be one line of printable ASCII.',
    );
  return {
    delivery_method: DELIVERY_METHODS.push,
    endpoint_url: pushEndpoint(delivery.endpoint_url, allowHttp),
    authorization_header: authorization ?? null,
  };
}

function parseEventsRequested(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_EVENT_TYPES)
    throw DomainError.invalid(
      'events_requested',
      `events_requested must be an array of at most ${MAX_EVENT_TYPES} event types.`,
    );
  return [...new Set(value.map((type) => checkedString(type, 'events_requested', 512)))];
}

/**
 * The receiver-supplied fields of a create, update or replace: unknown fields are refused; transmitter-supplied
 * ones are ignored. Update and replace name their stream in the body.
 */
export function parseStreamBody(
  raw: unknown,
  mode: 'create' | 'update' | 'replace',
  allowHttp: boolean,
): { streamId: string | null; changes: StreamChanges } {
  const body = objectBody(raw);
  onlyFields(body, [...TRANSMITTER_SUPPLIED, ...RECEIVER_SUPPLIED]);
  const changes: StreamChanges = {};
  if (body.events_requested !== undefined) changes.events_requested = parseEventsRequested(body.events_requested);
  if (body.delivery !== undefined) Object.assign(changes, parseDelivery(body.delivery, allowHttp));
  if (body.description !== undefined)
    changes.description = body.description === null ? null : checkedString(body.description, 'description', 1000);
  return { streamId: mode === 'create' ? null : streamIdOf(body.stream_id), changes };
}

/** A whole configuration from changes: what create and replace store (unset fields take their defaults). */
export function settingsOf(changes: StreamChanges, base?: StreamSettings): StreamSettings {
  const requested = changes.events_requested ?? base?.events_requested ?? [];
  return {
    delivery_method: changes.delivery_method ?? base?.delivery_method ?? DELIVERY_METHODS.poll,
    endpoint_url: changes.delivery_method ? (changes.endpoint_url ?? null) : (base?.endpoint_url ?? null),
    authorization_header: changes.delivery_method
      ? (changes.authorization_header ?? null)
      : (base?.authorization_header ?? null),
    events_requested: requested,
    events_delivered: EVENTS_SUPPORTED.filter((type) => requested.includes(type)),
    description: changes.description !== undefined ? changes.description : (base?.description ?? null),
  };
}

export function parseStatusUpdate(raw: unknown): { streamId: string; status: StreamStatus; reason: string | null } {
  const body = objectBody(raw);
  onlyFields(body, ['stream_id', 'status', 'reason']);
  const streamId = streamIdOf(body.stream_id);
  const status = requiredString(body, 'status', 20) as StreamStatus;
  if (!STREAM_STATUSES.includes(status))
    throw DomainError.invalid('status', `status must be one of ${STREAM_STATUSES.join(', ')}.`);
  return { streamId, status, reason: optionalString(body, 'reason', 1000) ?? null };
}

export function parseVerification(raw: unknown): { streamId: string; state: string | null } {
  const body = objectBody(raw);
  onlyFields(body, ['stream_id', 'state']);
  return { streamId: streamIdOf(body.stream_id), state: optionalString(body, 'state', 1024) ?? null };
}
