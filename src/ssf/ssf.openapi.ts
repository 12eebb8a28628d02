import { OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME, BEARER_SCHEME_NAME } from '../docs/bearer-auth';
import { FaceDocument } from '../docs/face-document';
import { SSF_PATHS, SSF_WELL_KNOWN } from './ssf-discovery.controller';
import { SCOPES } from './ssf-events';
import { ref, SSF_SCHEMAS } from './ssf.openapi-schemas';

/**
 * The Shared Signals document: what a receiver calls (discovery, JWKS, token, streams, status, subjects, verify,
 * poll), and the hub's SSF administration a superuser needs first (register a receiver, list streams, read
 * delivery receipts, rotate the key), so one document shows the whole way from registration to a delivered SET.
 * Written by hand: SSF's fields and errors are the standard's, not DTOs'.
 *
 * Two security schemes: `bearer` (a SessionHub API token, the same name as the other documents' so one Authorize
 * carries over to the administration operations) and `ssf_receiver` (OAuth 2 client credentials at the token
 * endpoint, so Swagger UI fetches a receiver token itself from the client id and secret).
 */
export const RECEIVER_SCHEME_NAME = 'ssf_receiver';

type Json = Record<string, unknown>;

const json = (schema: Json, description = 'Success') => ({ description, content: { 'application/json': { schema } } });
const noContent = (description: string) => ({ description });
const ssfError = (description: string) => json(ref('SsfError'), description);
const hubError = (description: string) => json(ref('HubError'), description);
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });

const streamIdQuery = (required: boolean, description?: string) => ({
  name: 'stream_id',
  in: 'query',
  required,
  schema: { type: 'string', format: 'uuid' },
  ...(description ? { description } : {}),
});

/** Every receiver operation: a receiver token with `scope`, and SSF's errors. */
function receiverOperation(scope: string, operation: Json & { responses: Json }): Json {
  return {
    tags: ['Streams (receivers)'],
    security: [{ [RECEIVER_SCHEME_NAME]: [scope] }],
    ...operation,
    responses: {
      ...operation.responses,
      '400': ssfError('A malformed request (`invalid_request`)'),
      '401': ssfError('No token or an unknown or expired one (`authentication_failed`, with WWW-Authenticate)'),
      '403': ssfError(`The token lacks ${scope} (\`access_denied\`)`),
      '404': ssfError('No such stream of this receiver (`not_found`)'),
      '413': ssfError('A body over 64 KB (`invalid_request`)'),
    },
  };
}

/** Every administration operation: a superuser's API token, and the hub's errors. */
function adminOperation(operation: Json & { responses: Json }): Json {
  return {
    tags: ['Administration (hub, superusers)'],
    security: [{ [BEARER_SCHEME_NAME]: [] }],
    ...operation,
    responses: {
      ...operation.responses,
      '401': hubError('No credentials, or a bad token'),
      '403': hubError('Not a superuser'),
    },
  };
}

const discovery = (summary: string, schema: string): Json => ({
  get: { tags: ['Discovery'], summary, security: [], responses: { '200': json(ref(schema)) } },
});

const STREAM_ANSWER = { '200': json(ref('StreamConfiguration')) };

function buildDocument(): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'SessionHub Shared Signals (SSF 1.0, CAEP, RISC)',
      version: '1',
      description: [
        'SessionHub as an OpenID Shared Signals transmitter: Security Event Tokens about sessions and users, pushed ',
        '(RFC 8935) or polled (RFC 8936). docs/shared-signals.md tells a receiver how to connect and what each ',
        'event means.',
        '',
        'To try it here: Authorize `bearer` with a superuser API token and register a receiver; then Authorize ',
        '`ssf_receiver` with its client id and secret (tick the scopes): Swagger UI gets a token from /ssf/token.',
        '',
        'Receiver errors are `{err, description}`; the token endpoint answers `{error, error_description}` (RFC ',
        '6749 §5.2); the administration operations answer as the hub does, `{statusCode, error, message}`.',
      ].join('\n'),
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Discovery', description: 'Public: what a receiver reads first' },
      { name: 'Token', description: 'OAuth 2 client credentials (RFC 6749 §4.4)' },
      { name: 'Streams (receivers)', description: "A receiver's own streams, with its access token" },
      { name: 'Administration (hub, superusers)', description: 'Receivers, streams and receipts, with an API token' },
    ],
    paths: {
      [SSF_WELL_KNOWN.configuration]: discovery('Transmitter configuration (SSF §7.1)', 'TransmitterConfiguration'),
      [SSF_WELL_KNOWN.riscConfiguration]: discovery(
        'The same configuration at RISC’s older path',
        'TransmitterConfiguration',
      ),
      [SSF_WELL_KNOWN.authorizationServer]: discovery(
        'OAuth metadata (RFC 8414): where to get tokens',
        'AuthorizationServerMetadata',
      ),
      [SSF_PATHS.jwks]: discovery('The keys SETs are signed with (RS256)', 'Jwks'),
      [SSF_PATHS.token]: {
        post: {
          tags: ['Token'],
          summary: 'Get an access token by client credentials',
          description: 'Client authentication by HTTP Basic or by client_id and client_secret in the body.',
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['grant_type'],
                  properties: {
                    grant_type: { type: 'string', enum: ['client_credentials'] },
                    scope: { type: 'string', description: `Default: ${SCOPES.manage} ${SCOPES.read}` },
                    client_id: { type: 'string' },
                    client_secret: { type: 'string' },
                  },
                },
              },
            },
          },
          responses: {
            '200': json(ref('TokenResponse')),
            '400': json(ref('OAuthError'), 'A refused request (RFC 6749 §5.2)'),
            '401': json(ref('OAuthError'), 'Wrong client credentials given by HTTP Basic (`invalid_client`)'),
            '413': json(ref('OAuthError'), 'A body over 64 KB (`invalid_request`)'),
            '415': json(ref('OAuthError'), 'A body neither a form nor JSON (`invalid_request`)'),
            '429': json(ref('OAuthError'), 'Too many refused credentials from this address (`too_many_requests`)'),
            '503': json(ref('OAuthError'), 'The database out of reach for a moment (`temporarily_unavailable`)'),
          },
        },
      },
      [SSF_PATHS.configuration]: {
        post: receiverOperation(SCOPES.manage, {
          summary: 'Create a stream (without `delivery`: a poll stream)',
          requestBody: body('StreamRequest'),
          responses: { '201': json(ref('StreamConfiguration'), 'Created') },
        }),
        get: receiverOperation(SCOPES.read, {
          summary: 'Read a stream, or list every stream of the receiver',
          parameters: [streamIdQuery(false, 'Absent: every stream, as an array')],
          responses: {
            '200': json({ oneOf: [ref('StreamConfiguration'), { type: 'array', items: ref('StreamConfiguration') }] }),
          },
        }),
        patch: receiverOperation(SCOPES.manage, {
          summary: 'Update the fields given',
          requestBody: body('StreamRequest'),
          responses: STREAM_ANSWER,
        }),
        put: receiverOperation(SCOPES.manage, {
          summary: 'Replace every receiver-supplied field',
          requestBody: body('StreamRequest'),
          responses: STREAM_ANSWER,
        }),
        delete: receiverOperation(SCOPES.manage, {
          summary: 'Delete a stream and its pending SETs',
          parameters: [streamIdQuery(true)],
          responses: { '204': noContent('Deleted') },
        }),
      },
      [SSF_PATHS.status]: {
        get: receiverOperation(SCOPES.read, {
          summary: "A stream's status",
          parameters: [streamIdQuery(true)],
          responses: { '200': json(ref('StreamStatus')) },
        }),
        post: receiverOperation(SCOPES.manage, {
          summary: 'Enable, pause (SETs kept in a bounded backlog) or disable a stream',
          requestBody: body('StatusRequest'),
          responses: { '200': json(ref('StreamStatus')) },
        }),
      },
      [SSF_PATHS.addSubject]: {
        post: receiverOperation(SCOPES.manage, {
          summary: 'Add a subject: the first one restricts the stream to added subjects',
          requestBody: body('SubjectRequest'),
          responses: { '200': noContent('Added') },
        }),
      },
      [SSF_PATHS.removeSubject]: {
        post: receiverOperation(SCOPES.manage, {
          summary: 'Exclude a subject',
          requestBody: body('SubjectRequest'),
          responses: { '204': noContent('Removed') },
        }),
      },
      [SSF_PATHS.verification]: {
        post: receiverOperation(SCOPES.read, {
          summary: 'Ask for a verification SET',
          requestBody: body('VerificationRequest'),
          responses: {
            '204': noContent('A verification SET is on its way'),
            '429': ssfError('Asked again within min_verification_interval (see Retry-After)'),
          },
        }),
      },
      [`${SSF_PATHS.poll}/{streamId}`]: {
        post: receiverOperation(SCOPES.read, {
          summary: 'Poll (RFC 8936): acknowledge, report errors, get the next SETs',
          parameters: [{ name: 'streamId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: body('PollRequest'),
          responses: { '200': json(ref('PollResponse')) },
        }),
      },
      '/api/hub/v1/ssf/receivers': {
        post: adminOperation({
          summary: 'Register a receiver: its client secret is in this answer only',
          requestBody: body('RegisterReceiverRequest'),
          responses: { '201': json(ref('NewReceiver'), 'Registered'), '400': hubError('A bad name or audience') },
        }),
        get: adminOperation({
          summary: 'List receivers',
          responses: { '200': json({ type: 'array', items: ref('Receiver') }) },
        }),
      },
      '/api/hub/v1/ssf/receivers/{clientId}': {
        delete: adminOperation({
          summary: 'Delete a receiver, its tokens, its streams and their SETs',
          parameters: [{ name: 'clientId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': noContent('Deleted'), '404': hubError('No such receiver') },
        }),
      },
      '/api/hub/v1/ssf/streams': {
        get: adminOperation({
          summary: "Every receiver's streams",
          responses: { '200': json({ type: 'array', items: ref('HubStream') }) },
        }),
      },
      '/api/hub/v1/ssf/streams/{id}/deliveries': {
        get: adminOperation({
          summary: "A stream's SETs with their delivery receipts, newest first",
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
            { name: 'before', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
          ],
          responses: { '200': json(ref('DeliveryPage')), '404': hubError('No such stream') },
        }),
      },
      '/api/hub/v1/ssf/keys/rotate': {
        post: adminOperation({
          summary: 'Make a new signing key; the previous one stays in the JWKS for SSF_KEY_OVERLAP_SECONDS',
          responses: { '200': json(ref('KeyRotation')) },
        }),
      },
    },
    components: {
      securitySchemes: {
        [BEARER_SCHEME_NAME]: BEARER_SCHEME,
        [RECEIVER_SCHEME_NAME]: {
          type: 'oauth2',
          description: "A receiver's client id and secret, from POST /api/hub/v1/ssf/receivers",
          flows: {
            clientCredentials: {
              tokenUrl: SSF_PATHS.token,
              scopes: {
                [SCOPES.manage]: 'Create, change and delete its streams (and everything ssf.read allows)',
                [SCOPES.read]: 'Read its streams and their status, poll, verify',
              },
            },
          },
        },
      },
      schemas: SSF_SCHEMAS,
    },
  } as unknown as OpenAPIObject;
}

export const ssfDocument: FaceDocument = {
  slug: 'ssf',
  title: 'Shared Signals (SSF)',
  build: buildDocument,
};
