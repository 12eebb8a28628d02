import { OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME, BEARER_SCHEME_NAME } from '../../docs/bearer-auth';
import { FaceDocument } from '../../docs/face-document';
import { nullable, pfidSchema, PREFACTOR_SCHEMAS, ref } from './prefactor.openapi-schemas';
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_SORTING,
  MAX_OFFSET,
  MAX_PAGE_SIZE,
  PREFACTOR_SORT_FIELDS,
} from './prefactor.request';

/**
 * The Prefactor face's OpenAPI 3.1 document, written out by hand so that it carries Prefactor's own schema names
 * (`Session_Summary`, `Pool_Id`, `InteractionDetails`, ...), descriptions and PFID examples.
 */

const errorResponse = (description: string, code: string, message: string, errors?: Record<string, string[]>) => ({
  description,
  content: {
    'application/json': {
      schema: ref('Error'),
      example: { code, message, status: 'error', ...(errors ? { errors } : {}) },
    },
  },
});

const AUTH_ERRORS = {
  '401': errorResponse(
    'No credentials (`not_authenticated`) or a bad, expired or revoked token (`bad_authtoken`)',
    'bad_authtoken',
    'Token invalid/expired',
  ),
};

const SESSION_ID_PARAM = {
  name: 'session_id',
  in: 'path',
  required: true,
  schema: ref('Session_Id'),
};

const FETCH_RESPONSE = {
  description: 'Success',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['actions', 'summary'],
        additionalProperties: false,
        properties: { actions: ref('Session_AvailableActions'), summary: ref('Session_Summary') },
      },
    },
  },
};

function buildDocument(): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Prefactor Admin API (sessions)',
      version: '1',
      description: [
        "Prefactor Admin API v1 (sessions), as served by SessionHub — compatible with Prefactor's Admin API v1 session ",
        'operations. Authenticate with `Authorization: Bearer <token>`.',
        '',
        'Errors are `{code, message, status: "error"}`, plus `errors` (messages per input field) for validation failures. ',
        'Status per code: 400 bad_request, unexpected_ref_type; 401 bad_authtoken, not_authenticated; 403 not_permitted; ',
        '404 not_found; 422 invalid_action, invalid_value, required_value; 500 unknown, unexpected; 501 not_implemented. ',
        'SessionHub adds 429 rate_limited (too many requests; see Retry-After) and 503 unavailable (try again after ',
        'Retry-After), in the same envelope.',
        '',
        'Pagination: `item_start` / `item_end` are one-based and both 0 on an empty page; `page_index` is ',
        'floor(offset / page_size) + 1; `page_count` is ceil(item_count / page_size), so 0 when there are no items; ',
        '`next_page_offset` is null when no item lies past the page; `previous_page_offset` is null at offset 0 and ',
        'otherwise max(0, offset - page_size).',
      ].join('\n'),
    },
    servers: [{ url: '/' }],
    security: [{ [BEARER_SCHEME_NAME]: [] }],
    tags: [
      {
        name: 'session',
        description: 'Sessions: similar to a device, but shorter lived, and linked to the authentication status.',
      },
    ],
    paths: {
      '/api/v1/session': {
        get: {
          operationId: 'session_list',
          summary: 'List sessions',
          tags: ['session'],
          description:
            'Sessions of a pool or an account, every status. Superusers may omit both to list every session; ' +
            'anyone else must give one and sees only their own sessions.',
          parameters: [
            {
              name: 'pool_id',
              in: 'query',
              required: false,
              // Inline, without the id's example: Swagger UI pre-fills "Try it out" with examples, which would
              // quietly filter the list down to the documentation's sample pool.
              schema: pfidSchema('pool'),
              description: 'Required (or account_id) unless the caller is a superuser',
            },
            { name: 'account_id', in: 'query', required: false, schema: pfidSchema('account') },
            {
              name: 'sorting',
              in: 'query',
              required: false,
              description: `A field (${PREFACTOR_SORT_FIELDS.join(', ')}), with a leading \`-\` for descending order`,
              schema: {
                type: 'string',
                enum: PREFACTOR_SORT_FIELDS.flatMap((f) => [f, `-${f}`]),
                default: DEFAULT_SORTING,
              },
            },
            {
              name: 'pagination[offset]',
              in: 'query',
              required: false,
              description: 'Zero-based offset of the first item',
              schema: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
            },
            {
              name: 'pagination[page_size]',
              in: 'query',
              required: false,
              description: 'Items per page',
              schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
            },
          ],
          responses: {
            '200': {
              description: 'Success',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['pagination', 'sorting', 'status', 'summaries'],
                    additionalProperties: false,
                    properties: {
                      pagination: nullable(ref('PaginationOutput')),
                      sorting: nullable(ref('Sorting')),
                      status: { type: 'string', enum: ['success'] },
                      summaries: { type: 'array', items: ref('Session_Summary') },
                    },
                  },
                },
              },
            },
            ...AUTH_ERRORS,
            '422': errorResponse(
              'A malformed parameter (`invalid_value`) or a missing scope (`required_value`)',
              'invalid_value',
              'Invalid value for pagination[page_size]',
              {
                'pagination[page_size]': [`must be an integer from 1 to ${MAX_PAGE_SIZE}`],
              },
            ),
          },
        },
      },
      '/api/v1/session/{session_id}': {
        get: {
          operationId: 'session_fetch',
          summary: 'Fetch session',
          tags: ['session'],
          parameters: [SESSION_ID_PARAM],
          responses: {
            '200': FETCH_RESPONSE,
            ...AUTH_ERRORS,
            '403': errorResponse("Someone else's session", 'not_permitted', 'You may not access this session.'),
            '404': errorResponse('No such session', 'not_found', 'Session not found.'),
            '422': errorResponse('A malformed session ID', 'invalid_value', 'Invalid value for session_id', {
              session_id: ['must be a valid session ID'],
            }),
          },
        },
      },
      '/api/v1/session/{session_id}/revoke': {
        post: {
          operationId: 'session_revoke',
          summary: 'Revoke session',
          description:
            'Ends a live session at once (status `revoked`). A session that is not live any more is `invalid_action`.',
          tags: ['session'],
          parameters: [SESSION_ID_PARAM],
          requestBody: {
            required: false,
            content: { 'application/json': { schema: { type: 'object', additionalProperties: false }, example: {} } },
          },
          responses: {
            '200': FETCH_RESPONSE,
            '400': errorResponse(
              'A body that is not a JSON object',
              'bad_request',
              'The request body must be a JSON object',
              { body: ['must be a JSON object'] },
            ),
            ...AUTH_ERRORS,
            '403': errorResponse("Someone else's session", 'not_permitted', 'You may not access this session.'),
            '404': errorResponse('No such session', 'not_found', 'Session not found.'),
            '422': errorResponse(
              'The session is not live (`invalid_action`) or the ID is malformed (`invalid_value`)',
              'invalid_action',
              'The session is no longer active.',
            ),
          },
        },
      },
    },
    components: {
      securitySchemes: { [BEARER_SCHEME_NAME]: BEARER_SCHEME },
      schemas: PREFACTOR_SCHEMAS,
    },
  } as unknown as OpenAPIObject;
}

export const prefactorDocument: FaceDocument = {
  slug: 'prefactor',
  title: 'Prefactor Admin API (sessions)',
  build: () => buildDocument(),
};
