/**
 * `npm run bench:features:inproc`: what each per-request feature costs validate and the authentik list, measured
 * inside one process, where the machine's other work cannot tell two variants apart: seven instances of the service
 * (A everything on; B RATE_LIMITS=off; C without security headers; D without request logs; E METRICS=off; F A
 * again, the control; G neither rate limits nor security headers) are built in this process on one database, and Fastify's inject() sends them the same
 * requests one at a time, FEATURE_BATCH requests per turn, the variants taking turns FEATURE_ROUNDS times in a
 * rotating order. A turn's cost is this process's CPU time (user + system) per request; the ratios of one round are
 * summarised by their median and its 95 % interval. inject() replaces the socket's work with its own (building the
 * request and response objects in this process), so the features' share of a request differs from their share over
 * the network (bench/feature-cost.ts), in either direction.
 *
 * C and D have no setting: installSecurityHeaders / installRequestLogging are replaced by no-ops while their
 * instance is built (the compiled module's export is read at call time). Request logs go to standard output, as in
 * production (run with `> /dev/null` or a file); the report is written to bench/results/feature-cost-inproc.md.
 *
 * Run under `node --expose-gc` (the npm script does) so each turn starts from a collected heap.
 * Settings: FEATURE_ROUNDS (8), FEATURE_BATCH (2000), FEATURE_CALLS (both calls unless named), and the bench's
 * BENCH_DATABASE_URL (the soak's database unless set), BENCH_USERS, BENCH_SESSIONS, BENCH_TOKEN.
 */
import './soak-database';
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import * as logging from '../src/ops/logging';
import * as securityHeaders from '../src/ops/security-headers';
import { prepareData, sweepAndPickFixtures } from './data';
import { medianInterval, stats } from './service-run';
import { FEATURES, rotated, Uninstalled, Variant, VariantKey, VARIANTS } from './feature-variants';
import { BOOTSTRAP_TOKEN, DATABASE_URL, ROOT } from './settings';

const ROUNDS = Number(process.env.FEATURE_ROUNDS || 8);
const BATCH = Number(process.env.FEATURE_BATCH || 2000);
/** The calls to measure, by name (`hub validate`, `authentik list`), comma-separated; both when unset. */
const CALLS = (process.env.FEATURE_CALLS ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);

type Key = VariantKey;

interface Call {
  name: string;
  send: (app: NestFastifyApplication, i: number) => Promise<number>;
}

/** The modules a variant may build without, by their path under src/. */
const MODULES: Record<Uninstalled['module'], Record<string, unknown>> = {
  'ops/security-headers': securityHeaders,
  'ops/logging': logging,
};

/** Builds one instance, with a feature's install function replaced by a no-op while it is built. */
async function build(variant: Variant): Promise<NestFastifyApplication> {
  const target = variant.without && MODULES[variant.without.module];
  const name = variant.without?.name ?? '';
  const original = target?.[name];
  if (target) Object.defineProperty(target, name, { value: () => undefined, configurable: true, writable: true });
  try {
    const config = loadConfig({ ...process.env, ...variant.env, DATABASE_URL, BOOTSTRAP_TOKEN, WORKERS: '1' });
    const app = await createApp({ config, dataDir: null });
    await app.getHttpAdapter().getInstance().ready();
    return app;
  } finally {
    if (target) Object.defineProperty(target, name, { value: original, configurable: true, writable: true });
  }
}

async function makeTokens(app: NestFastifyApplication, usernames: string[], n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/hub/v1/sessions',
      headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ user: usernames[i % usernames.length], ip: '81.2.69.160', userAgent: 'curl/8.5.0' }),
    });
    if (res.statusCode !== 201) throw new Error(`login: ${res.statusCode} ${res.body}`);
    tokens.push(res.json<{ token: string }>().token);
  }
  return tokens;
}

/** CPU microseconds this process spends per call over `batch` calls, one at a time. */
async function turn(app: NestFastifyApplication, call: Call, batch: number): Promise<number> {
  // Every turn starts from a collected heap (node --expose-gc), so no turn pays for garbage another one left.
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.cpuUsage();
  for (let i = 0; i < batch; i++) {
    const status = await call.send(app, i);
    if (status !== 200) throw new Error(`${call.name}: ${status}`);
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / batch;
}

async function main(): Promise<void> {
  const started = new Date();
  await prepareData();
  const picked = await sweepAndPickFixtures();
  const apps = new Map<Key, NestFastifyApplication>();
  for (const variant of VARIANTS) apps.set(variant.key, await build(variant));
  const tokens = await makeTokens(apps.get('A')!, picked.usernames, 200);
  const calls: Call[] = [
    {
      name: 'hub validate',
      send: async (app, i) =>
        (
          await app.inject({
            method: 'POST',
            url: '/api/hub/v1/sessions/validate',
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ token: tokens[i % tokens.length] }),
          })
        ).statusCode,
    },
    {
      name: 'authentik list',
      send: async (app) =>
        (
          await app.inject({
            method: 'GET',
            url: '/api/v3/core/authenticated_sessions/',
            headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` },
          })
        ).statusCode,
    },
  ];
  const lines = [
    '# What each per-request feature costs, measured in one process',
    '',
    `Run ${started.toISOString()}: ${ROUNDS} rounds; a turn is ${BATCH} requests one at a time through Fastify's ` +
      "inject() (no socket) to one of seven instances in this process, on PostgreSQL; the cost is the process's CPU " +
      'time per request. ' +
      VARIANTS.map((v) => `${v.key}: ${v.name}`).join('; ') +
      '.',
  ];
  try {
    for (const call of calls.filter((c) => CALLS.length === 0 || CALLS.includes(c.name))) {
      for (const variant of VARIANTS) await turn(apps.get(variant.key)!, call, Math.min(500, BATCH)); // warm-up
      const cost = new Map<Key, number[]>(VARIANTS.map((v) => [v.key, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const variant of rotated(round))
          cost.get(variant.key)!.push(await turn(apps.get(variant.key)!, call, BATCH));
        console.error(
          `[bench] ${call.name} round ${round + 1}: ` +
            VARIANTS.map((v) => `${v.key} ${cost.get(v.key)![round].toFixed(1)} µs`).join(', '),
        );
      }
      const fmt = (n: number) => n.toFixed(3);
      lines.push(
        '',
        `## ${call.name}`,
        '',
        `CPU µs per request, median of the rounds: ${VARIANTS.map((v) => `${v.key} ${stats(cost.get(v.key)!).median.toFixed(1)}`).join(', ')}.`,
        '',
        '| feature | A over the instance without it: median; mean ± sd (range) | 95 % interval of the median | cost: 1 − median (interval) |',
        '|---|---|---|---:|',
        ...FEATURES.map(([label, key]) => {
          const values = cost.get(key)!.map((without, round) => without / cost.get('A')![round]);
          const ratios = stats(values);
          const interval = medianInterval(values);
          const percent = (ratio: number) => `${((1 - ratio) * 100).toFixed(1)} %`;
          return (
            `| ${label} (A/${key}) | **${fmt(ratios.median)}**; ${fmt(ratios.mean)} ± ${fmt(ratios.sd)} (${fmt(ratios.min)} – ${fmt(ratios.max)}) | ` +
            `${interval ? `${fmt(interval[0])} – ${fmt(interval[1])}` : 'too few rounds'} | ${percent(ratios.median)}` +
            `${interval ? ` (${percent(interval[1])} to ${percent(interval[0])})` : ''} |`
          );
        }),
      );
    }
  } finally {
    for (const app of apps.values()) await app.close();
  }
  const text = lines.join('\n') + '\n';
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'feature-cost-inproc.md'), text);
  console.error('\n' + text);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
