import { Agent } from 'node:http';
import { USER_AGENTS } from './factories';
import { rawRequest, RawResult } from './service-process';

export type Face = 'hub' | 'authentik' | 'prefactor' | 'movens';

/** One kind of request of the mixed load: which face answers it and what success looks like. */
export interface LoadOp {
  name: string;
  face: Face;
  ok: number;
  run(agent?: Agent): Promise<RawResult>;
}

export interface LoadFixture {
  baseUrl: string;
  adminKey: string;
  /** A user to log in (hub login as the superuser). */
  user: { id: number };
  /** A live session: its token for validate, its pfid for the Prefactor fetch. */
  session: { token: string; pfid: string };
}

/** validate, hub list, authentik list, prefactor fetch, MOVENS list and logins, all as the superuser. */
export function mixedOps(f: LoadFixture, onLogin?: (result: RawResult) => void): LoadOp[] {
  const req = (
    agent: Agent | undefined,
    method: string,
    path: string,
    body?: unknown,
    key: string | undefined = f.adminKey,
  ) => rawRequest(f.baseUrl, { method, path, body, key, agent, timeoutMs: 20_000 });
  return [
    {
      name: 'validate',
      face: 'hub',
      ok: 200,
      run: (agent) => req(agent, 'POST', '/api/hub/v1/sessions/validate', { token: f.session.token }, undefined),
    },
    { name: 'hub users list', face: 'hub', ok: 200, run: (agent) => req(agent, 'GET', '/api/hub/v1/users') },
    {
      name: 'authentik list',
      face: 'authentik',
      ok: 200,
      run: (agent) => req(agent, 'GET', '/api/v3/core/authenticated_sessions/'),
    },
    {
      name: 'prefactor fetch',
      face: 'prefactor',
      ok: 200,
      run: (agent) => req(agent, 'GET', `/api/v1/session/${f.session.pfid}`),
    },
    {
      name: 'movens list',
      face: 'movens',
      ok: 200,
      run: (agent) => req(agent, 'GET', '/api/admin/v1/authenticated-sessions/list'),
    },
    {
      name: 'login',
      face: 'hub',
      ok: 201,
      run: async (agent) => {
        const result = await req(agent, 'POST', '/api/hub/v1/sessions', {
          user: f.user.id,
          ip: '198.51.100.9',
          userAgent: USER_AGENTS.androidChrome,
        });
        onLogin?.(result);
        return result;
      },
    },
  ];
}

/**
 * Why an answer is not a well-formed 503 of its face (null when it is): the face's envelope, and a Retry-After of
 * whole seconds.
 */
export function unavailableProblem(face: Face, result: RawResult): string | null {
  if (result.error) return `no answer: ${result.error}`;
  if (result.status !== 503) return `status ${result.status}: ${result.text}`;
  const retryAfter = result.headers?.['retry-after'];
  if (typeof retryAfter !== 'string' || !/^[1-9]\d*$/.test(retryAfter)) return `Retry-After ${String(retryAfter)}`;
  const body = result.body as Record<string, unknown> | undefined;
  const keys = (o: object | undefined) => (o ? Object.keys(o).sort().join(',') : '');
  switch (face) {
    case 'hub':
      if (
        keys(body) !== 'error,message,statusCode' ||
        body!.statusCode !== 503 ||
        body!.error !== 'Service Unavailable' ||
        typeof body!.message !== 'string' ||
        !body!.message
      )
        return `hub envelope: ${result.text}`;
      return null;
    case 'authentik':
      if (keys(body) !== 'detail' || typeof body!.detail !== 'string' || !body!.detail)
        return `authentik envelope: ${result.text}`;
      return null;
    case 'prefactor':
      if (
        keys(body) !== 'code,message,status' ||
        body!.code !== 'unavailable' ||
        body!.status !== 'error' ||
        typeof body!.message !== 'string'
      )
        return `prefactor envelope: ${result.text}`;
      return null;
    case 'movens':
      return result.text === '' ? null : `MOVENS body should be empty: ${result.text}`;
  }
}
