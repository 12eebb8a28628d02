// authentik 2026.8.3's OpenAPI document for the authenticated-sessions endpoints, converted verbatim from
// /work/shared/spec/authentik-sessions-openapi.yaml (cut from schema.yml of @goauthentik/api@2026.8.3). Data only.
export const AUTHENTIK_SESSIONS_OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'authentik',
    version: '2026.8.3',
    description: 'Making authentication simple.',
    contact: {
      email: 'hello@goauthentik.io',
    },
    license: {
      name: 'MIT',
      url: 'https://github.com/goauthentik/authentik/blob/main/LICENSE',
    },
  },
  paths: {
    '/core/authenticated_sessions/': {
      get: {
        operationId: 'core_authenticated_sessions_list',
        description: 'AuthenticatedSession Viewset',
        parameters: [
          {
            $ref: '#/components/parameters/QueryPaginationOrdering',
          },
          {
            $ref: '#/components/parameters/QueryPaginationPage',
          },
          {
            $ref: '#/components/parameters/QueryPaginationPageSize',
          },
          {
            $ref: '#/components/parameters/QuerySearch',
          },
          {
            in: 'query',
            name: 'session__last_ip',
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'session__last_user_agent',
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'user__username',
            schema: {
              type: 'string',
            },
          },
        ],
        tags: ['core'],
        security: [
          {
            authentik: [],
          },
        ],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PaginatedAuthenticatedSessionList',
                },
              },
            },
            description: '',
          },
          '400': {
            $ref: '#/components/responses/ValidationErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/GenericErrorResponse',
          },
        },
      },
    },
    '/core/authenticated_sessions/{uuid}/': {
      get: {
        operationId: 'core_authenticated_sessions_retrieve',
        description: 'AuthenticatedSession Viewset',
        parameters: [
          {
            in: 'path',
            name: 'uuid',
            schema: {
              type: 'string',
              format: 'uuid',
            },
            required: true,
          },
        ],
        tags: ['core'],
        security: [
          {
            authentik: [],
          },
        ],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/AuthenticatedSession',
                },
              },
            },
            description: '',
          },
          '400': {
            $ref: '#/components/responses/ValidationErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/GenericErrorResponse',
          },
        },
      },
      delete: {
        operationId: 'core_authenticated_sessions_destroy',
        description: 'AuthenticatedSession Viewset',
        parameters: [
          {
            in: 'path',
            name: 'uuid',
            schema: {
              type: 'string',
              format: 'uuid',
            },
            required: true,
          },
        ],
        tags: ['core'],
        security: [
          {
            authentik: [],
          },
        ],
        responses: {
          '204': {
            description: 'No response body',
          },
          '400': {
            $ref: '#/components/responses/ValidationErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/GenericErrorResponse',
          },
        },
      },
    },
    '/core/authenticated_sessions/{uuid}/used_by/': {
      get: {
        operationId: 'core_authenticated_sessions_used_by_list',
        description: 'Get a list of all objects that use this object',
        parameters: [
          {
            in: 'path',
            name: 'uuid',
            schema: {
              type: 'string',
              format: 'uuid',
            },
            required: true,
          },
        ],
        tags: ['core'],
        security: [
          {
            authentik: [],
          },
        ],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  type: 'array',
                  items: {
                    $ref: '#/components/schemas/UsedBy',
                  },
                },
              },
            },
            description: '',
          },
          '400': {
            $ref: '#/components/responses/ValidationErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/GenericErrorResponse',
          },
        },
      },
    },
    '/core/authenticated_sessions/bulk_delete/': {
      delete: {
        operationId: 'core_authenticated_sessions_bulk_delete_destroy',
        description: 'Bulk revoke all sessions for multiple users',
        parameters: [
          {
            in: 'query',
            name: 'user_pks',
            schema: {
              type: 'array',
              items: {
                type: 'integer',
              },
            },
            description: 'List of user IDs to revoke all sessions for',
            required: true,
          },
        ],
        tags: ['core'],
        security: [
          {
            authentik: [],
          },
        ],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/BulkDeleteSessionResponse',
                },
              },
            },
            description: '',
          },
          '400': {
            $ref: '#/components/responses/ValidationErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/GenericErrorResponse',
          },
        },
      },
    },
  },
  components: {
    parameters: {
      QueryPaginationOrdering: {
        in: 'query',
        name: 'ordering',
        schema: {
          type: 'string',
        },
        description: 'Which field to use when ordering the results.',
      },
      QueryPaginationPage: {
        in: 'query',
        name: 'page',
        schema: {
          type: 'integer',
        },
        description: 'A page number within the paginated result set.',
      },
      QueryPaginationPageSize: {
        in: 'query',
        name: 'page_size',
        schema: {
          type: 'integer',
        },
        description: 'Number of results to return per page.',
      },
      QuerySearch: {
        in: 'query',
        name: 'search',
        schema: {
          type: 'string',
        },
        description: 'A search term.',
      },
    },
    responses: {
      GenericErrorResponse: {
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/GenericError',
            },
          },
        },
        description: '',
      },
      ValidationErrorResponse: {
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/ValidationError',
            },
          },
        },
        description: '',
      },
    },
    schemas: {
      AuthenticatedSession: {
        type: 'object',
        description: 'AuthenticatedSession Serializer',
        properties: {
          uuid: {
            type: 'string',
            format: 'uuid',
          },
          current: {
            type: 'boolean',
            description: 'Check if session is currently active session',
            readOnly: true,
          },
          user_agent: {
            type: 'object',
            description: 'Get parsed user agent',
            properties: {
              device: {
                type: 'object',
                description: 'User agent device',
                properties: {
                  brand: {
                    type: 'string',
                    nullable: true,
                  },
                  family: {
                    type: 'string',
                  },
                  model: {
                    type: 'string',
                    nullable: true,
                  },
                },
                required: ['brand', 'family', 'model'],
              },
              os: {
                type: 'object',
                description: 'User agent os',
                properties: {
                  family: {
                    type: 'string',
                  },
                  major: {
                    type: 'string',
                    nullable: true,
                  },
                  minor: {
                    type: 'string',
                    nullable: true,
                  },
                  patch: {
                    type: 'string',
                    nullable: true,
                  },
                  patch_minor: {
                    type: 'string',
                    nullable: true,
                  },
                },
                required: ['family', 'major', 'minor', 'patch', 'patch_minor'],
              },
              user_agent: {
                type: 'object',
                description: 'User agent browser',
                properties: {
                  family: {
                    type: 'string',
                  },
                  major: {
                    type: 'string',
                  },
                  minor: {
                    type: 'string',
                  },
                  patch: {
                    type: 'string',
                  },
                },
                required: ['family', 'major', 'minor', 'patch'],
              },
              string: {
                type: 'string',
              },
            },
            required: ['device', 'os', 'string', 'user_agent'],
            readOnly: true,
          },
          geo_ip: {
            type: 'object',
            description: 'Get GeoIP Data',
            properties: {
              continent: {
                type: 'string',
                nullable: true,
              },
              country: {
                type: 'string',
                nullable: true,
              },
              lat: {
                type: 'number',
                format: 'double',
                nullable: true,
              },
              long: {
                type: 'number',
                format: 'double',
                nullable: true,
              },
              city: {
                type: 'string',
              },
            },
            required: ['city', 'continent', 'country', 'lat', 'long'],
            nullable: true,
            readOnly: true,
          },
          asn: {
            type: 'object',
            description: 'Get ASN Data',
            properties: {
              asn: {
                type: 'integer',
                nullable: true,
              },
              as_org: {
                type: 'string',
                nullable: true,
              },
              network: {
                type: 'string',
                nullable: true,
              },
            },
            required: ['as_org', 'asn', 'network'],
            nullable: true,
            readOnly: true,
          },
          user: {
            type: 'integer',
          },
          last_ip: {
            type: 'string',
            readOnly: true,
          },
          last_user_agent: {
            type: 'string',
            readOnly: true,
          },
          last_used: {
            type: 'string',
            format: 'date-time',
            readOnly: true,
          },
          expires: {
            type: 'string',
            format: 'date-time',
            readOnly: true,
          },
        },
        required: [
          'asn',
          'current',
          'expires',
          'geo_ip',
          'last_ip',
          'last_used',
          'last_user_agent',
          'user',
          'user_agent',
        ],
      },
      Autocomplete: {
        type: 'object',
        additionalProperties: {},
      },
      BulkDeleteSessionResponse: {
        type: 'object',
        properties: {
          deleted: {
            type: 'integer',
          },
        },
        required: ['deleted'],
      },
      GenericError: {
        type: 'object',
        description: 'Generic API Error',
        properties: {
          detail: {
            type: 'string',
          },
          code: {
            type: 'string',
          },
        },
        required: ['detail'],
      },
      PaginatedAuthenticatedSessionList: {
        type: 'object',
        properties: {
          pagination: {
            $ref: '#/components/schemas/Pagination',
          },
          results: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/AuthenticatedSession',
            },
          },
          autocomplete: {
            $ref: '#/components/schemas/Autocomplete',
          },
        },
        required: ['autocomplete', 'pagination', 'results'],
      },
      Pagination: {
        type: 'object',
        properties: {
          next: {
            type: 'number',
          },
          previous: {
            type: 'number',
          },
          count: {
            type: 'number',
          },
          current: {
            type: 'number',
          },
          total_pages: {
            type: 'number',
          },
          start_index: {
            type: 'number',
          },
          end_index: {
            type: 'number',
          },
        },
        required: ['count', 'current', 'end_index', 'next', 'previous', 'start_index', 'total_pages'],
      },
      UsedBy: {
        type: 'object',
        description: 'A list of all objects referencing the queried object',
        properties: {
          app: {
            type: 'string',
          },
          model_name: {
            type: 'string',
          },
          pk: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          action: {
            $ref: '#/components/schemas/UsedByActionEnum',
          },
        },
        required: ['action', 'app', 'model_name', 'name', 'pk'],
      },
      UsedByActionEnum: {
        enum: ['cascade', 'cascade_many', 'set_null', 'set_default', 'left_dangling'],
        type: 'string',
      },
      ValidationError: {
        type: 'object',
        description: 'Validation Error',
        properties: {
          non_field_errors: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          code: {
            type: 'string',
          },
        },
        additionalProperties: {},
      },
    },
    securitySchemes: {
      authentik: {
        type: 'http',
        scheme: 'bearer',
      },
    },
  },
  servers: [
    {
      url: '/api/v3',
    },
  ],
} as const;
