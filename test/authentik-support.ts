import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

/** authentik's own OpenAPI excerpt (schema.yml of @goauthentik/api 2026.8.3), the contract every body must meet. */
export function loadAuthentikSpec(): any {
  return YAML.parse(readFileSync(join(__dirname, 'fixtures', 'authentik-sessions-openapi.yaml'), 'utf8'));
}

export type AuthentikSchemaName =
  | 'AuthenticatedSession'
  | 'PaginatedAuthenticatedSessionList'
  | 'BulkDeleteSessionResponse'
  | 'GenericError'
  | 'ValidationError'
  | 'UsedBy';

/**
 * Validators for authentik's schemas. The schema calls user_agent.user_agent.major/minor/patch non-null strings
 * although authentik itself answers null for parts the parser did not find; DESIGN.md follows the behaviour, so
 * those three are made nullable here and nothing else is relaxed.
 */
export function authentikValidators(): (
  name: AuthentikSchemaName | { arrayOf: AuthentikSchemaName },
) => ValidateFunction {
  const spec = loadAuthentikSpec();
  const browser = spec.components.schemas.AuthenticatedSession.properties.user_agent.properties.user_agent.properties;
  for (const part of ['major', 'minor', 'patch']) browser[part].nullable = true;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addSchema({ $id: 'authentik', components: spec.components });
  const cache = new Map<string, ValidateFunction>();
  return (name) => {
    const key = typeof name === 'string' ? name : `[${name.arrayOf}]`;
    let fn = cache.get(key);
    if (!fn) {
      fn =
        typeof name === 'string'
          ? ajv.getSchema(`authentik#/components/schemas/${name}`)!
          : ajv.compile({ type: 'array', items: { $ref: `authentik#/components/schemas/${name.arrayOf}` } });
      if (!fn) throw new Error(`no schema ${key}`);
      cache.set(key, fn);
    }
    return fn;
  };
}

/** Fails with ajv's own explanation, so a schema mismatch says which field is wrong. */
export function expectMatchesSchema(
  validators: ReturnType<typeof authentikValidators>,
  name: AuthentikSchemaName | { arrayOf: AuthentikSchemaName },
  body: unknown,
): void {
  const validate = validators(name);
  const ok = validate(body);
  if (!ok)
    throw new Error(
      `body does not match ${JSON.stringify(name)}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body)}`,
    );
}

/** uap-core's parse of the test user agents, exactly as authentik's Python ua-parser answers (spec section 2.4). */
export const EXPECTED_USER_AGENTS: Record<string, object> = {
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36': {
    user_agent: { family: 'Chrome', major: '120', minor: '0', patch: '0' },
    os: { family: 'Windows', major: '10', minor: null, patch: null, patch_minor: null },
    device: { family: 'Other', brand: null, model: null },
  },
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15':
    {
      user_agent: { family: 'Safari', major: '17', minor: '2', patch: null },
      os: { family: 'Mac OS X', major: '10', minor: '15', patch: '7', patch_minor: null },
      device: { family: 'Mac', brand: 'Apple', model: 'Mac' },
    },
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1':
    {
      user_agent: { family: 'Mobile Safari', major: '17', minor: '2', patch: null },
      os: { family: 'iOS', major: '17', minor: '2', patch: null, patch_minor: null },
      device: { family: 'iPhone', brand: 'Apple', model: 'iPhone' },
    },
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36':
    {
      user_agent: { family: 'Chrome Mobile', major: '120', minor: '0', patch: '6099' },
      os: { family: 'Android', major: '14', minor: null, patch: null, patch_minor: null },
      device: { family: 'Pixel 8', brand: 'Google', model: 'Pixel 8' },
    },
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0': {
    user_agent: { family: 'Firefox', major: '121', minor: '0', patch: null },
    os: { family: 'Linux', major: null, minor: null, patch: null, patch_minor: null },
    device: { family: 'Other', brand: null, model: null },
  },
  'curl/8.5.0': {
    user_agent: { family: 'curl', major: '8', minor: '5', patch: '0' },
    os: { family: 'Other', major: null, minor: null, patch: null, patch_minor: null },
    device: { family: 'Other', brand: null, model: null },
  },
  'python-requests/2.31.0': {
    user_agent: { family: 'Python Requests', major: '2', minor: '31', patch: null },
    os: { family: 'Other', major: null, minor: null, patch: null, patch_minor: null },
    device: { family: 'Other', brand: null, model: null },
  },
  'goauthentik.io/outpost/2026.2.0': {
    user_agent: { family: 'Other', major: null, minor: null, patch: null },
    os: { family: 'Other', major: null, minor: null, patch: null, patch_minor: null },
    device: { family: 'Other', brand: null, model: null },
  },
};

export const SESSION_KEYS = [
  'uuid',
  'current',
  'user_agent',
  'geo_ip',
  'asn',
  'user',
  'last_ip',
  'last_user_agent',
  'last_used',
  'expires',
];
export const PAGINATION_KEYS = ['next', 'previous', 'count', 'current', 'total_pages', 'start_index', 'end_index'];
export const BASE = '/api/v3/core/authenticated_sessions';
