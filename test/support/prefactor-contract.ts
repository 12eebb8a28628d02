import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Http, HttpResult, RequestOptions } from './http';

const LIST_PATH = /^\/api\/v1\/session\/?(\?|$)/;
const FETCH_PATH = /^\/api\/v1\/session\/[^/?]+\/?(\?|$)/;
const REVOKE_PATH = /^\/api\/v1\/session\/[^/?]+\/revoke\/?(\?|$)/;

/** Validators for the Prefactor face's responses, compiled from the document the running app serves. */
export class PrefactorContract {
  private constructor(
    readonly document: any,
    private readonly list: ValidateFunction,
    private readonly fetch: ValidateFunction,
    private readonly revoke: ValidateFunction,
    private readonly error: ValidateFunction,
  ) {}

  static async load(baseUrl: string): Promise<PrefactorContract> {
    const res = await new Http(baseUrl).get('/api/docs/prefactor.json');
    if (res.status !== 200) throw new Error(`prefactor.json: ${res.status}`);
    const document = res.body;
    // strict off: the document carries OpenAPI keywords (example, ...) that are not JSON Schema.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, 'prefactor');
    const at = (pointer: string) => ajv.compile({ $ref: `prefactor#${pointer}` });
    const json = '/content/application~1json/schema';
    return new PrefactorContract(
      document,
      at(`/paths/~1api~1v1~1session/get/responses/200${json}`),
      at(`/paths/~1api~1v1~1session~1{session_id}/get/responses/200${json}`),
      at(`/paths/~1api~1v1~1session~1{session_id}~1revoke/post/responses/200${json}`),
      at('/components/schemas/Error'),
    );
  }

  /** Throws unless the body is what the document promises for this method, path and status. */
  check(method: string, path: string, res: HttpResult): void {
    let validate = this.error;
    if (res.status === 200) {
      if (method === 'POST' && REVOKE_PATH.test(path)) validate = this.revoke;
      else if (method === 'GET' && LIST_PATH.test(path)) validate = this.list;
      else if (method === 'GET' && FETCH_PATH.test(path)) validate = this.fetch;
      else throw new Error(`no 200 schema for ${method} ${path}`);
    }
    if (method === 'HEAD') return;
    if (!validate(res.body)) {
      throw new Error(
        `${method} ${path} ${res.status} does not match the document: ${JSON.stringify(validate.errors)}\n${res.text}`,
      );
    }
  }
}

/** An Http client whose every answer is validated against the Prefactor document. */
export class PrefactorClient {
  constructor(
    private readonly http: Http,
    private readonly contract: PrefactorContract,
  ) {}

  as(key: string | null): PrefactorClient {
    return new PrefactorClient(this.http.as(key), this.contract);
  }

  async request(method: string, path: string, options?: RequestOptions): Promise<HttpResult> {
    const res = await this.http.request(method, path, options);
    this.contract.check(method, path, res);
    return res;
  }

  get(path: string, options?: RequestOptions) {
    return this.request('GET', path, options);
  }

  post(path: string, body?: unknown, options?: RequestOptions) {
    return this.request('POST', path, { ...options, body });
  }
}
