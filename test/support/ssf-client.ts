import { Http, HttpResult } from './http';

export const EVENT = {
  revoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  established: 'https://schemas.openid.net/secevent/caep/event-type/session-established',
  credentialChange: 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
  disabled: 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  enabled: 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
  purged: 'https://schemas.openid.net/secevent/risc/event-type/account-purged',
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
  streamUpdated: 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated',
};
export const ALL_EVENTS = [
  EVENT.revoked,
  EVENT.established,
  EVENT.credentialChange,
  EVENT.disabled,
  EVENT.enabled,
  EVENT.purged,
];
export const PUSH = 'urn:ietf:rfc:8935';
export const POLL = 'urn:ietf:rfc:8936';

export interface TestReceiver {
  clientId: string;
  clientSecret: string;
  audience: string;
  /** The receiver's SSF API with an access token carrying both scopes. */
  ssf: SsfClient;
}

/** A receiver's calls to SessionHub's SSF endpoints, with its bearer token. */
export class SsfClient {
  readonly http: Http;

  constructor(baseUrl: string, token: string | null) {
    this.http = new Http(baseUrl, token);
  }

  createStream(body: unknown): Promise<HttpResult> {
    return this.http.post('/ssf/stream', body);
  }

  send(method: string, path: string, body?: unknown): Promise<HttpResult> {
    return this.http.request(method, path, { body });
  }

  status(streamId: string, status: string, reason?: string): Promise<HttpResult> {
    return this.http.post('/ssf/status', { stream_id: streamId, status, ...(reason ? { reason } : {}) });
  }

  poll(streamId: string, body: Record<string, unknown>): Promise<HttpResult> {
    return this.http.post(`/ssf/poll/${streamId}`, body);
  }
}

/** A token from the token endpoint by client credentials (HTTP Basic). */
export async function clientToken(baseUrl: string, clientId: string, secret: string, scope?: string): Promise<string> {
  const res = await fetch(`${baseUrl}/ssf/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }).toString(),
  });
  const body = (await res.json()) as { access_token: string };
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A receiver registered through the hub by a superuser, with a token for both scopes. */
export async function registerReceiver(admin: Http, name = 'receiver'): Promise<TestReceiver> {
  const res = await admin.post('/api/hub/v1/ssf/receivers', { name });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`);
  const token = await clientToken(admin.baseUrl, res.body.clientId, res.body.clientSecret);
  return {
    clientId: res.body.clientId,
    clientSecret: res.body.clientSecret,
    audience: res.body.audience,
    ssf: new SsfClient(admin.baseUrl, token),
  };
}
