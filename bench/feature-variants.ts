/**
 * The variants both per-feature benches compare (bench/feature-cost.ts over sockets, bench/feature-cost-inproc.ts
 * in one process): the service with everything on, without one feature each, and everything on again as the
 * control. Security headers and request logs have no setting: each names the module and install function a bench
 * replaces with a no-op.
 */
import type autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceUnderTest } from './service-run';
import { BOOTSTRAP_TOKEN, ROOT } from './settings';

export type VariantKey = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G';

/** A feature with no off-switch: its module under src/ (dist/ once built) and its install function. */
export interface Uninstalled {
  module: 'ops/security-headers' | 'ops/logging';
  name: 'installSecurityHeaders' | 'installRequestLogging';
}

export interface Variant {
  key: VariantKey;
  name: string;
  env: Record<string, string>;
  without?: Uninstalled;
}

/** As production runs, with the validate and login bounds raised above the load (the limiter still counts). */
export const PRODUCTION = {
  RATE_LIMIT_VALIDATE: '100000000',
  RATE_LIMIT_LOGIN: '1000000',
  LOG_LEVEL: 'info',
  METRICS: 'on',
};

export const VARIANTS: Variant[] = [
  { key: 'A', name: 'everything on', env: PRODUCTION },
  { key: 'B', name: 'no rate limits', env: { ...PRODUCTION, RATE_LIMITS: 'off' } },
  {
    key: 'C',
    name: 'no security headers',
    env: PRODUCTION,
    without: { module: 'ops/security-headers', name: 'installSecurityHeaders' },
  },
  {
    key: 'D',
    name: 'no request logs',
    env: { ...PRODUCTION, LOG_LEVEL: 'warn' },
    without: { module: 'ops/logging', name: 'installRequestLogging' },
  },
  { key: 'E', name: 'no metrics', env: { ...PRODUCTION, METRICS: 'off' } },
  { key: 'F', name: 'control: A again', env: PRODUCTION },
  {
    key: 'G',
    name: 'neither rate limits nor security headers',
    env: { ...PRODUCTION, RATE_LIMITS: 'off' },
    without: { module: 'ops/security-headers', name: 'installSecurityHeaders' },
  },
];

/** Each feature's ratio: everything on over the instance without it; the control is A over A. */
export const FEATURES: [string, VariantKey][] = [
  ['rate limits', 'B'],
  ['security headers', 'C'],
  ['request logs', 'D'],
  ['metrics', 'E'],
  ['control (two identical instances)', 'F'],
  ['rate limits and security headers together', 'G'],
];

/** The variants in a round's order: rotated by one every round. */
export function rotated(round: number): Variant[] {
  return VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
}

/** Writes the preload that turns a variant's feature off in the built service; returns its path. */
export function preload(dir: string, without: NonNullable<Variant['without']>): string {
  const file = join(dir, `without-${without.name}.js`);
  const module = JSON.stringify(join(ROOT, 'dist', `${without.module}.js`));
  writeFileSync(file, `'use strict';\nrequire(${module}).${without.name} = () => undefined;\n`);
  return file;
}

/** Each variant answers both endpoints with 200, with or without its features as it should. */
export async function check(variant: Variant, service: ServiceUnderTest, token: string): Promise<void> {
  const res = await fetch(`${service.base}/api/hub/v1/sessions/validate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${variant.key}: validate answered ${res.status}`);
  const hasHeaders = res.headers.get('x-content-type-options') === 'nosniff';
  if (hasHeaders !== (variant.without?.name !== 'installSecurityHeaders'))
    throw new Error(`${variant.key}: security headers ${hasHeaders ? 'present' : 'missing'}, expected the opposite`);
  const metrics = await fetch(`${service.base}/metrics`, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } });
  await metrics.arrayBuffer();
  if ((metrics.status === 200) !== (variant.key !== 'E'))
    throw new Error(`${variant.key}: /metrics answered ${metrics.status}`);
  const list = await fetch(`${service.base}/api/v3/core/authenticated_sessions/`, {
    headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` },
  });
  await list.arrayBuffer();
  if (list.status !== 200) throw new Error(`${variant.key}: authentik list answered ${list.status}`);
}

/** validate, each request with the next of `tokens` in turn: the feature benches' first call. */
export function validateRequest(tokens: string[]): autocannon.Request {
  let counter = 0;
  return {
    method: 'POST',
    path: '/api/hub/v1/sessions/validate',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => ({ ...request, body: JSON.stringify({ token: tokens[counter++ % tokens.length] }) }),
  };
}

/** The authentik list, unfiltered, as the bootstrap superuser: the feature benches' second call. */
export function authentikListRequest(): autocannon.Request {
  return {
    method: 'GET',
    path: '/api/v3/core/authenticated_sessions/',
    headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` },
  };
}
