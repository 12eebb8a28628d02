import { PREFACTOR_STATUS, PrefactorErrorCode, SESSIONHUB_CODES } from './prefactor-exception.filter';
import { toPaginationOutput } from './prefactor.mapper';
import { MAX_PAGE_SIZE, PREFACTOR_SORT_FIELDS } from './prefactor.request';

/** Prefactor's schema names, shapes, descriptions and PFID examples (`Session_Summary`, `Pool_Id`, ...). */

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const nullable = (schema: object) => ({ oneOf: [schema, { type: 'null' }] });

export const pfidSchema = (what: string) => ({
  type: 'string',
  description: `A valid ${what} ID`,
  pattern: '^[0-7][0-9abcdefghjkmnpqrstvwxyz]{31}$',
});

const idSchema = (title: string, what: string, example: string) => ({ title, ...pfidSchema(what), example });

/** Prefactor's own error codes; SessionHub's 429 and 503 codes are described in the document's text instead. */
export const ERROR_CODES = (Object.keys(PREFACTOR_STATUS) as PrefactorErrorCode[]).filter(
  (code) => !SESSIONHUB_CODES.includes(code),
);

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

export const PREFACTOR_SCHEMAS = {
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
    // The mapper's own answer for page 10 of 200 items, so the example cannot drift from what the face sends.
    example: toPaginationOutput(90, 10, 200, 10),
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
};
