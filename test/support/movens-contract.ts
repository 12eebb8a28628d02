import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Http, HttpResult, RequestOptions } from './http';

/** MOVENS's admin base URL: the face's OpenAPI paths are relative to it, as the vendor publishes them. */
export const MOVENS_BASE = '/api/admin';

interface Operation {
  responses: Record<
    string,
    { content?: Record<string, { schema: unknown }>; headers?: Record<string, { schema: unknown }> }
  >;
}

/**
 * Checks every response against the face's own OpenAPI document: the status must be documented for that
 * operation, a documented JSON body must validate (with no undocumented keys), an undocumented body must be
 * empty, and documented headers, when present, must match their schemas.
 */
export class MovensContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: { method: string; pattern: RegExp; operation: Operation }[] = [];
  private readonly compiled = new Map<unknown, ValidateFunction>();

  constructor(readonly document: any) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'movens', components: closeObjects(document.components) });
    for (const [path, item] of Object.entries<Record<string, Operation>>(document.paths)) {
      const pattern = new RegExp(`^${escapeRegex(path).replace(/\\\{[^}]+\\\}/g, '[^/]+')}/?$`);
      for (const [method, operation] of Object.entries(item))
        this.routes.push({ method: method.toUpperCase(), pattern, operation });
    }
  }

  static async load(http: Http): Promise<MovensContract> {
    const res = await http.get('/api/docs/movens.json', { key: null });
    if (res.status !== 200) throw new Error(`movens.json: ${res.status}`);
    return new MovensContract(res.body);
  }

  check(method: string, url: string, res: HttpResult): void {
    const path = url.split('?')[0];
    if (!path.startsWith(MOVENS_BASE + '/')) throw new Error(`${url} is not under ${MOVENS_BASE}`);
    const relative = path.slice(MOVENS_BASE.length);
    const route = this.routes.find((r) => r.method === method && r.pattern.test(relative));
    if (!route) throw new Error(`${method} ${url}: no such operation in movens.json`);
    const documented = route.operation.responses[String(res.status)];
    if (!documented) throw new Error(`${method} ${url}: status ${res.status} is not documented (body ${res.text})`);
    const json = documented.content?.['application/json'];
    if (json) {
      if (!(res.headers.get('content-type') ?? '').startsWith('application/json'))
        throw new Error(`${method} ${url}: not JSON`);
      this.validate(json.schema, JSON.parse(res.text), `${method} ${url} ${res.status} body`);
    } else if (res.text !== '') {
      throw new Error(`${method} ${url}: status ${res.status} documents no body, got ${res.text}`);
    }
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = res.headers.get(name);
      if (value === null) continue;
      const schema = header.schema as { type?: string };
      this.validate(schema, schema.type === 'integer' ? Number(value) : value, `${method} ${url} header ${name}`);
    }
  }

  private validate(schema: unknown, data: unknown, where: string): void {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(
        JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"movens#/components/')),
      );
      this.compiled.set(schema, validate);
    }
    if (!validate(data))
      throw new Error(`${where} does not match movens.json: ${this.ajv.errorsText(validate.errors)}`);
  }
}

/** An HTTP client whose every MOVENS response is checked against the contract before the test sees it. */
export class CheckedHttp {
  constructor(
    readonly http: Http,
    readonly contract: MovensContract,
  ) {}

  as(key: string | null): CheckedHttp {
    return new CheckedHttp(this.http.as(key), this.contract);
  }

  async request(method: string, url: string, options: RequestOptions = {}): Promise<HttpResult> {
    const res = await this.http.request(method, url, options);
    this.contract.check(method, url, res);
    return res;
  }

  get(url: string, options?: RequestOptions) {
    return this.request('GET', url, options);
  }

  post(url: string, body?: unknown, options?: RequestOptions) {
    return this.request('POST', url, { ...options, body });
  }
}

// Swashbuckle-style schemas allow extra keys; the contract test does not, so an undocumented field fails.
function closeObjects(node: any): any {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== 'object') return node;
  const copy: any = {};
  for (const [key, value] of Object.entries(node))
    copy[key] = key === 'properties' ? mapValues(value as object, closeObjects) : closeObjects(value);
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined)
    copy.additionalProperties = false;
  return copy;
}

function mapValues(record: object, f: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
