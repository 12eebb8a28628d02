import { DELIVERY_METHODS, EVENTS_SUPPORTED, SCOPES, STREAM_STATUSES } from './ssf-events';

/** The schemas of the Shared Signals document (src/ssf/ssf.openapi.ts), in SSF's and RFC 8936's own field names. */

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const text = (description?: string) => ({ type: 'string', ...(description ? { description } : {}) });
const dateTime = { type: 'string', format: 'date-time' };
const nullable = (schema: Record<string, unknown>) => ({ oneOf: [schema, { type: 'null' }] });
const object = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  ...(required.length ? { required } : {}),
});

const EXAMPLE_STREAM = '6f1c2a9e-3b7d-4e52-9a41-0c8d5e7f2b13';

export const SSF_SCHEMAS = {
  SsfError: {
    ...object(
      {
        err: {
          type: 'string',
          enum: [
            'invalid_request',
            'authentication_failed',
            'access_denied',
            'not_found',
            'conflict',
            'too_many_requests',
            'temporarily_unavailable',
            'server_error',
          ],
        },
        description: text(),
      },
      ['err', 'description'],
    ),
    example: { err: 'not_found', description: 'Stream not found.' },
  },
  OAuthError: {
    ...object(
      {
        error: {
          type: 'string',
          enum: [
            'invalid_request',
            'invalid_client',
            'unsupported_grant_type',
            'invalid_scope',
            'too_many_requests',
            'temporarily_unavailable',
            'server_error',
          ],
        },
        error_description: text(),
      },
      ['error'],
    ),
    example: { error: 'invalid_client', error_description: 'Unknown client or wrong secret.' },
  },
  HubError: object({ statusCode: { type: 'integer' }, error: text(), message: {} }, ['statusCode', 'message']),
  TransmitterConfiguration: object({
    spec_version: { type: 'string', example: '1_0' },
    issuer: text(),
    jwks_uri: text(),
    delivery_methods_supported: { type: 'array', items: text() },
    configuration_endpoint: text(),
    status_endpoint: text(),
    add_subject_endpoint: text(),
    remove_subject_endpoint: text(),
    verification_endpoint: text(),
    authorization_schemes: { type: 'array', items: object({ spec_urn: text() }) },
    default_subjects: { type: 'string', enum: ['ALL', 'NONE'] },
  }),
  AuthorizationServerMetadata: object({
    issuer: text(),
    token_endpoint: text(),
    grant_types_supported: { type: 'array', items: text() },
    token_endpoint_auth_methods_supported: { type: 'array', items: text() },
    scopes_supported: { type: 'array', items: text() },
  }),
  Jwks: object({ keys: { type: 'array', items: object({ kty: text(), kid: text(), use: text(), alg: text() }) } }),
  TokenResponse: object(
    {
      access_token: text('Opaque, `ssft_…`'),
      token_type: { type: 'string', enum: ['Bearer'] },
      expires_in: { type: 'integer' },
      scope: { type: 'string', example: `${SCOPES.manage} ${SCOPES.read}` },
    },
    ['access_token', 'token_type', 'expires_in', 'scope'],
  ),
  Delivery: object(
    {
      method: { type: 'string', enum: [DELIVERY_METHODS.push, DELIVERY_METHODS.poll] },
      endpoint_url: text('Push: where SETs are POSTed (https; http on loopback). Poll: supplied by SessionHub.'),
      authorization_header: text('Push: sent as the Authorization header of every push; never shown back.'),
    },
    ['method'],
  ),
  StreamRequest: {
    ...object({
      stream_id: text('Update and replace: the stream to change'),
      events_requested: { type: 'array', items: { type: 'string', enum: EVENTS_SUPPORTED } },
      delivery: ref('Delivery'),
      description: nullable(text()),
    }),
    example: { events_requested: [EVENTS_SUPPORTED[0]], delivery: { method: DELIVERY_METHODS.poll } },
  },
  StreamConfiguration: object(
    {
      stream_id: text(),
      iss: text(),
      aud: text(),
      events_supported: { type: 'array', items: text() },
      events_requested: { type: 'array', items: text() },
      events_delivered: { type: 'array', items: text() },
      delivery: ref('Delivery'),
      min_verification_interval: { type: 'integer' },
      description: text(),
    },
    ['stream_id', 'iss', 'aud', 'events_supported', 'events_requested', 'events_delivered', 'delivery'],
  ),
  StreamStatus: object({ stream_id: text(), status: { type: 'string', enum: STREAM_STATUSES }, reason: text() }, [
    'stream_id',
    'status',
  ]),
  StatusRequest: {
    ...object({ stream_id: text(), status: { type: 'string', enum: STREAM_STATUSES }, reason: text() }, [
      'stream_id',
      'status',
    ]),
    example: { stream_id: EXAMPLE_STREAM, status: 'paused', reason: 'maintenance' },
  },
  Subject: {
    description: 'RFC 9493: `email`, `iss_sub`, `opaque` (a user or session uuid), or `complex` (session and/or user)',
    ...object({ format: { type: 'string', enum: ['email', 'iss_sub', 'opaque', 'complex'] } }, ['format']),
    additionalProperties: true,
  },
  SubjectRequest: {
    ...object({ stream_id: text(), subject: ref('Subject'), verified: { type: 'boolean' } }, ['stream_id', 'subject']),
    example: { stream_id: EXAMPLE_STREAM, subject: { format: 'email', email: 'ada@example.com' } },
  },
  VerificationRequest: {
    ...object({ stream_id: text(), state: text('Echoed in the verification SET') }, ['stream_id']),
    example: { stream_id: EXAMPLE_STREAM, state: 'check-1' },
  },
  PollRequest: {
    ...object({
      maxEvents: { type: 'integer', minimum: 0, description: 'At most 100 are answered' },
      returnImmediately: { type: 'boolean', default: false },
      ack: { type: 'array', items: text('jti'), maxItems: 1000 },
      setErrs: {
        type: 'object',
        description: 'Per jti: the receiver could not process it',
        additionalProperties: object({ err: text(), description: text() }, ['err']),
      },
    }),
    example: { maxEvents: 10, returnImmediately: true, ack: [] },
  },
  PollResponse: object(
    {
      sets: { type: 'object', description: 'SETs (compact JWS) by jti', additionalProperties: text() },
      moreAvailable: { type: 'boolean' },
    },
    ['sets', 'moreAvailable'],
  ),
  RegisterReceiverRequest: {
    ...object(
      { name: text('Who the receiver is, for people'), audience: text("The SETs' `aud`; default: client id") },
      ['name'],
    ),
    example: { name: 'Billing service' },
  },
  Receiver: object({ clientId: text(), name: text(), audience: text(), createdAt: dateTime }, [
    'clientId',
    'name',
    'audience',
    'createdAt',
  ]),
  NewReceiver: {
    allOf: [ref('Receiver'), object({ clientSecret: text('Shown once: only its hash is kept') }, ['clientSecret'])],
  },
  HubStream: object({
    streamId: text(),
    receiverId: { type: 'integer' },
    status: { type: 'string', enum: STREAM_STATUSES },
    statusReason: nullable(text()),
    deliveryMethod: text(),
    endpointUrl: nullable(text()),
    eventsDelivered: { type: 'array', items: text() },
    subjectsRestricted: { type: 'boolean' },
    dropped: { type: 'integer', description: 'SETs dropped from a paused backlog' },
    createdAt: dateTime,
  }),
  DeliveryReceipt: object({
    id: { type: 'integer' },
    jti: text(),
    txn: text('The database transaction that recorded it'),
    eventType: text(),
    subject: { type: 'object' },
    state: { type: 'string', enum: ['pending', 'delivered', 'failed', 'dropped'] },
    attempts: { type: 'integer' },
    lastStatus: nullable({ type: 'integer' }),
    lastError: nullable(text()),
    createdAt: dateTime,
    nextAttemptAt: nullable(dateTime),
    deliveredAt: nullable(dateTime),
    ackedAt: nullable(dateTime),
  }),
  DeliveryPage: object(
    {
      items: { type: 'array', items: ref('DeliveryReceipt') },
      nextBefore: nullable({ type: 'integer', description: 'Pass as `before` for the next page' }),
    },
    ['items', 'nextBefore'],
  ),
  KeyRotation: object({
    kid: text(),
    previousKid: nullable(text()),
    previousPublishedUntil: nullable(dateTime),
  }),
};
