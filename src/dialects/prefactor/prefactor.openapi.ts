import { OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME, BEARER_SCHEME_NAME } from '../../docs/bearer-auth';
import { FaceDocument } from '../../docs/face-document';
import { PREFACTOR_STATUS } from './prefactor-exception.filter';
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

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: object) => ({ oneOf: [schema, { type: 'null' }] });

const pfidSchema = (what: string) => ({
  type: 'string',
  description: `A valid ${what} ID`,
  pattern: '^[0-7][0-9abcdefghjkmnpqrstvwxyz]{31}$',
});

const idSchema = (title: string, what: string, example: string) => ({ title, ...pfidSchema(what), example });

const ERROR_CODES = Object.keys(PREFACTOR_STATUS);

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

const interactionDetails = {
  title: 'InteractionDetails',
  type: 'object',
  description: 'A snapshot of the details of a particular device',
  required: ['at', 'remote_ip', 'user_agent'],
  additionalProperties: false,
  properties: {
    at: ref('Timestamp'),
    remote_ip: { oneOf: [ref('IPv4'), ref('IPv6'), { type: 'null' }] },
    user_agent: ref('UserAgent'),
    asn: {
      type: 'integer',
      minimum: 1,
      description: 'Autonomous system number (when GeoIP data exists)',
      example: 4764,
    },
    city: { type: 'string', description: 'City (when GeoIP data exists)', example: 'Melbourne' },
    country_code: {
      type: 'string',
      pattern: '^[A-Z]{2}$',
      description: 'ISO 3166-1 alpha-2 country code (when GeoIP data exists)',
      example: 'AU',
    },
    lat_long: {
      type: 'array',
      items: { type: 'number' },
      minItems: 2,
      maxItems: 2,
      description: 'Latitude and longitude (when GeoIP data exists)',
      example: [-37.8159, 144.9669],
    },
    region_code: { type: 'string', description: 'Region or state code (when GeoIP data exists)', example: 'VIC' },
    timezone: {
      type: 'string',
      description: 'IANA time zone (when GeoIP data exists)',
      example: 'Australia/Melbourne',
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
        '404 not_found; 422 invalid_action, invalid_value, required_value; 500 unknown, unexpected; 501 not_implemented.',
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
      schemas: {
        Account_Id: idSchema('Account_Id', 'account', '013xrzp12g3nqk8n6cyr5x0k8yb10h59'),
        Identity_Id: idSchema('Identity_Id', 'identity', '013xrzp12g3nqk8n3f5qv5e2r757shwd'),
        Device_Id: idSchema('Device_Id', 'device', '013xrzp12g3nqk8ncwfp3ra29yjzx1gs'),
        Domain_Id: idSchema('Domain_Id', 'domain', '013xrzp12g3nqk8n32sd3jyxq5a8ywe2'),
        Session_Id: idSchema('Session_Id', 'session', '013xrzp12g3nqk8nkv4y96wrbzje9dsr'),
        Pool_Id: idSchema('Pool_Id', 'pool', '013xrzp12g3nqk8ng09nmc8kwqzfafa2'),
        Timestamp: {
          title: 'Timestamp',
          type: 'integer',
          description: 'Unix timestamp, seconds since midnight January 1, 1970 UTC',
          example: 1234567890,
        },
        UserAgent: {
          title: 'UserAgent',
          type: 'string',
          description: 'User-Agent string',
          example:
            'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Safari/537.36',
        },
        IPv4: {
          title: 'IPv4',
          type: 'string',
          format: 'ipv4',
          description: 'IPv4 address in dotted-decimal notation',
          example: '127.0.0.1',
        },
        IPv6: { title: 'IPv6', type: 'string', format: 'ipv6', description: 'IPv6 address', example: '2001:db8::1' },
        InteractionDetails: interactionDetails,
        Session_AvailableActions: {
          title: 'Session_AvailableActions',
          type: 'object',
          description: 'The actions that can be performed on a session',
          required: ['revoke'],
          additionalProperties: false,
          properties: { revoke: { type: 'boolean', description: 'Whether the caller may revoke this session now' } },
        },
        Session_Summary: {
          title: 'Session_Summary',
          type: 'object',
          required: [
            'account_id',
            'authenticated_identity_id',
            'device_id',
            'domain_id',
            'first_seen',
            'id',
            'last_seen',
            'pool_id',
            'session_type',
            'status',
            'title',
            'type',
          ],
          additionalProperties: false,
          properties: {
            account_id: ref('Account_Id'),
            authenticated_identity_id: ref('Identity_Id'),
            device_id: ref('Device_Id'),
            domain_id: ref('Domain_Id'),
            first_seen: nullable(ref('InteractionDetails')),
            id: ref('Session_Id'),
            last_seen: nullable(ref('InteractionDetails')),
            pool_id: ref('Pool_Id'),
            session_type: { type: 'string', enum: ['browser', 'api'], example: 'browser' },
            status: {
              type: 'string',
              enum: ['new', 'unauthenticated', 'authenticated', 'complete', 'revoked'],
              example: 'new',
            },
            title: { type: 'string' },
            type: { type: 'string', enum: ['session'], example: 'session' },
          },
        },
        PaginationOutput: {
          title: 'PaginationOutput',
          type: 'object',
          description: 'Pagination information',
          required: [
            'item_count',
            'item_end',
            'item_start',
            'next_page_offset',
            'page_count',
            'page_index',
            'page_offset',
            'page_size',
            'previous_page_offset',
          ],
          additionalProperties: false,
          properties: {
            item_count: { type: 'integer', minimum: 0, description: 'The total number of items' },
            item_end: {
              type: 'integer',
              minimum: 0,
              description: 'The index of the last item in the page (one-based; 0 on an empty page)',
            },
            item_start: {
              type: 'integer',
              minimum: 0,
              description: 'The index of the first item in the page (one-based; 0 on an empty page)',
            },
            next_page_offset: {
              oneOf: [
                { type: 'integer', minimum: 0, description: 'The offset of the next page (null if last page)' },
                { type: 'null' },
              ],
            },
            page_count: { type: 'integer', minimum: 0, description: 'The total number of pages' },
            page_index: { type: 'integer', minimum: 1, description: 'The index of the current page (one-based)' },
            page_offset: {
              type: 'integer',
              minimum: 0,
              description: 'The offset of the first item in the page (zero-based)',
            },
            page_size: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_PAGE_SIZE,
              description: 'The number of items per page',
            },
            previous_page_offset: {
              oneOf: [
                { type: 'integer', minimum: 0, description: 'The offset of the previous page (null if first page)' },
                { type: 'null' },
              ],
            },
          },
          example: {
            item_count: 200,
            item_end: 100,
            item_start: 91,
            next_page_offset: 100,
            page_count: 20,
            page_index: 10,
            page_offset: 90,
            page_size: 10,
            previous_page_offset: 80,
          },
        },
        Sorting: {
          title: 'Sorting',
          type: 'object',
          description: 'Sorting information',
          required: ['direction', 'field'],
          additionalProperties: false,
          properties: {
            direction: { type: 'string', enum: ['asc', 'desc'], description: 'The direction to sort by' },
            field: {
              type: 'string',
              enum: [...PREFACTOR_SORT_FIELDS],
              description: 'The field to sort by (values depend on the type of list)',
            },
          },
        },
        Error: {
          title: 'Error',
          oneOf: [
            {
              type: 'object',
              required: ['code', 'message', 'status'],
              additionalProperties: false,
              properties: {
                code: { type: 'string', enum: ERROR_CODES },
                message: { type: 'string' },
                status: { type: 'string', enum: ['error'] },
              },
            },
            {
              type: 'object',
              description: 'A validation failure, with messages per input field',
              required: ['code', 'errors', 'message', 'status'],
              additionalProperties: false,
              properties: {
                code: { type: 'string', enum: ERROR_CODES },
                errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
                message: { type: 'string' },
                status: { type: 'string', enum: ['error'] },
              },
            },
          ],
        },
      },
    },
  } as unknown as OpenAPIObject;
}

export const prefactorDocument: FaceDocument = {
  slug: 'prefactor',
  title: 'Prefactor Admin API (sessions)',
  build: () => buildDocument(),
};
