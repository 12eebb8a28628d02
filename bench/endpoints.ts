/**
 * The endpoints the benches load (`npm run bench`, `npm run bench:growth`), and how one is loaded: autocannon with
 * BENCH_CONNECTIONS connections, the requests' paths and bodies rotating so runs read many rows.
 */
import autocannon from 'autocannon';
import { publicIpv4, RandomSource } from '../src/cli/seed-data';
import { SEED_AGENTS } from '../src/cli/seed/agents';
import { Fixtures } from './data';
import { BOOTSTRAP_TOKEN, CONNECTIONS, LOGIN_IPS } from './settings';

export interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  /** Paths (or bodies) rotate per request, so runs read many rows, not one cached row. */
  paths: (f: Fixtures) => string[];
  body?: (f: Fixtures, i: number, random: RandomSource) => string;
  auth: boolean;
  /** The bearer key of request `i` when it is not the bootstrap API token (e.g. an end user's session token). */
  bearer?: (f: Fixtures, i: number) => string;
  /** Also measured against the constant-body ceiling (bench/ceiling-server.ts). */
  ceiling?: boolean;
}

export const AUTHENTIK = '/api/v3/core/authenticated_sessions/';
export const ENDPOINTS: Endpoint[] = [
  { name: 'authentik list', method: 'GET', auth: true, paths: () => [AUTHENTIK] },
  {
    name: 'authentik list ?user__username',
    method: 'GET',
    auth: true,
    paths: (f) => [`${AUTHENTIK}?user__username=${encodeURIComponent(f.username)}`],
  },
  {
    name: 'authentik list ?search',
    method: 'GET',
    auth: true,
    paths: (f) => [`${AUTHENTIK}?search=${encodeURIComponent(f.search)}`],
  },
  {
    // An end user's own sessions page: each request carries a different user's session token as its bearer key.
    name: 'authentik list by session token',
    method: 'GET',
    auth: true,
    bearer: (f, i) => f.tokens[i % f.tokens.length],
    paths: () => [AUTHENTIK],
  },
  {
    name: 'authentik retrieve',
    method: 'GET',
    auth: true,
    ceiling: true,
    paths: (f) => f.uuids.map((u) => `${AUTHENTIK}${u}/`),
  },
  {
    name: 'Prefactor fetch',
    method: 'GET',
    auth: true,
    ceiling: true,
    paths: (f) => f.pfids.map((p) => `/api/v1/session/${p}`),
  },
  { name: 'Prefactor list', method: 'GET', auth: true, paths: (f) => [`/api/v1/session?pool_id=${f.poolId}`] },
  { name: 'MOVENS list', method: 'GET', auth: true, paths: () => ['/api/admin/v1/authenticated-sessions/list'] },
  {
    name: 'MOVENS user-sessions',
    method: 'GET',
    auth: true,
    paths: (f) => f.userGuids.map((g) => `/api/admin/v1/authenticated-sessions/user-sessions/${g}`),
  },
  {
    name: 'hub validate',
    method: 'POST',
    auth: false,
    ceiling: true,
    paths: () => ['/api/hub/v1/sessions/validate'],
    body: (f, i) => JSON.stringify({ token: f.tokens[i % f.tokens.length] }),
  },
  {
    name: 'hub create',
    method: 'POST',
    auth: true,
    paths: () => ['/api/hub/v1/sessions'],
    body: (f, i, random) =>
      JSON.stringify({
        user: f.usernames[i % f.usernames.length],
        ip: LOGIN_IPS === 'home' ? HOME_IPS[(i % f.usernames.length) % HOME_IPS.length] : publicIpv4(random),
        // At home a user keeps their device too; otherwise the agents rotate, a new device at nearly every login.
        userAgent: SEED_AGENTS[(LOGIN_IPS === 'home' ? i % f.usernames.length : i) % SEED_AGENTS.length].ua,
      }),
  },
];

/** Real public addresses in several countries, for BENCH_LOGIN_IPS=home: user n always logs in from one of them. */
const HOME_IPS = ['81.2.69.160', '8.8.8.8', '1.1.1.1', '212.27.48.10', '2.2.2.2', '9.9.9.9', '185.45.4.1'];

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function load(
  base: string,
  endpoint: Endpoint,
  fixtures: Fixtures,
  duration: number,
): Promise<autocannon.Result> {
  const paths = endpoint.paths(fixtures);
  const random = new RandomSource();
  let counter = 0;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.auth) headers.authorization = `Bearer ${BOOTSTRAP_TOKEN}`;
  return autocannon({
    url: base,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: endpoint.method,
        path: paths[0],
        headers,
        setupRequest: (request) => {
          const i = counter++;
          request.path = paths[i % paths.length];
          if (endpoint.bearer)
            request.headers = { ...headers, authorization: `Bearer ${endpoint.bearer(fixtures, i)}` };
          if (endpoint.body) request.body = endpoint.body(fixtures, i, random);
          return request;
        },
      },
    ],
  });
}

export function errorsOf(r: autocannon.Result): number {
  return r.non2xx + r.errors + r.timeouts;
}

/** What a run's errors were: the answers that were not 2xx by status, socket errors, timeouts. */
export function errorDetail(r: autocannon.Result): string {
  const statuses = Object.entries(r.statusCodeStats ?? {})
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, { count }]) => `${count}× ${status}`);
  return [...statuses, `${r.errors} socket errors`, `${r.timeouts} timeouts`].join(', ');
}

export async function probe(
  base: string,
  endpoint: Endpoint,
  fixtures: Fixtures,
): Promise<{ status: number; body: Buffer }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.auth) headers.authorization = `Bearer ${endpoint.bearer?.(fixtures, 0) ?? BOOTSTRAP_TOKEN}`;
  const res = await fetch(base + endpoint.paths(fixtures)[0], {
    method: endpoint.method,
    headers,
    body: endpoint.body ? endpoint.body(fixtures, 0, new RandomSource()) : undefined,
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}
