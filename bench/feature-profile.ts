/**
 * `npm run bench:features:profile`: what each per-request feature costs, read off a CPU profile of the service
 * under load instead of off two timings. The timing benches (bench/feature-cost.ts, bench/feature-cost-inproc.ts)
 * compare an instance with a feature against one without it; on this 2-core machine two identical instances differ
 * by several per cent from run to run, more than the features. A profile needs no second instance: V8 samples the
 * one service's stack every FEATURE_PROFILE_INTERVAL_US microseconds, and a feature's share is the share of samples
 * taken while the feature's own code ran (its frames, and everything it called).
 *
 * The service runs as in production (`node --cpu-prof dist/main.js`, one worker, everything on, PostgreSQL, rate
 * limits counting with their bounds raised above the load), autocannon loads one endpoint for FEATURE_WARMUP
 * seconds, then for FEATURE_SECONDS, and the service is stopped with SIGTERM so V8 writes the profile. Only samples
 * inside the measured window count; idle samples do not.
 *
 * A sample counts for a feature when, walking up its stack from the running function, a frame of the feature is met
 * before any frame of Fastify's hook runner or request handler: a hook calls the next step of the request from its
 * own frame, and that continuation is not the hook's cost. What a profile cannot show a feature's: the garbage
 * collection of what it allocated (reported apart, for all code), the kernel's time for the bytes it adds to an
 * answer (inside `writev`, for all code), and the time its promises wait for the microtask queue.
 *
 * Settings: FEATURE_SECONDS (20), FEATURE_WARMUP (5), FEATURE_PROFILE_INTERVAL_US (250), FEATURE_PORT (3951),
 * FEATURE_CALLS (`hub validate` unless named; `authentik list`), and the bench's BENCH_DATABASE_URL (the soak's
 * database unless set), BENCH_USERS, BENCH_SESSIONS, BENCH_SKIP_BUILD, BENCH_TOKEN. Writes
 * bench/results/feature-profile.md.
 */
import './soak-database';
import autocannon from 'autocannon';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareData, sweepAndPickFixtures } from './data';
import { authentikListRequest, PRODUCTION, validateRequest } from './feature-variants';
import { stop } from './processes';
import { build, makeTokens, startService } from './service-run';
import { CONNECTIONS, log, ROOT } from './settings';

const SECONDS = Number(process.env.FEATURE_SECONDS || 20);
const WARMUP = Number(process.env.FEATURE_WARMUP || 5);
const INTERVAL_US = Number(process.env.FEATURE_PROFILE_INTERVAL_US || 250);
const PORT = Number(process.env.FEATURE_PORT || 3951);
const CALLS = (process.env.FEATURE_CALLS || 'hub validate').split(',').map((name) => name.trim());

/** V8's .cpuprofile: a call tree, and which node was running at each sample. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

type FrameTest = (url: string, name: string) => boolean;

/** Each feature's code: its module in dist/ and the libraries only it uses. */
const FEATURES: [string, FrameTest][] = [
  ['rate limits', (url) => url.includes('/dist/ops/rate-limits.js') || url.includes('/rate-limiter-flexible/')],
  ['security headers', (url) => url.includes('/dist/ops/security-headers.js')],
  ['request logs', (url) => url.includes('/dist/ops/logging.js') || /\/(pino|pino-std-serializers)\//.test(url)],
  ['metrics', (url) => url.includes('/dist/ops/metrics') || url.includes('/prom-client/')],
];

/** The frames through which a hook continues the request: a feature's share stops at them. */
const CONTINUATION: FrameTest = (url, name) =>
  (url.includes('/fastify/lib/hooks.js') && /^(next|hookRunner|onSendHookRunner|hookIterator|exit)/.test(name)) ||
  (url.includes('/fastify/lib/route.js') && /runPreParsing|preHandlerCallback/.test(name)) ||
  url.includes('/fastify/lib/handle-request.js');

interface Attribution {
  busyMs: number;
  samples: number;
  features: Record<string, number>;
  garbageCollector: number;
  /** Samples in `writev`: the thread waits there while the kernel (and, on 2 cores, other processes) runs. */
  writev: number;
  /** Self time by package (node_modules name, `node:` module, the service's own dist/ files, or V8's entries). */
  packages: [string, number][];
}

function attribute(profile: CpuProfile, fromUs: number, toUs: number): Attribution {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  let samples = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs || nodes.get(id)!.callFrame.functionName === '(idle)') return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    samples++;
  });
  let busy = 0;
  const features: Record<string, number> = Object.fromEntries(FEATURES.map(([name]) => [name, 0]));
  const packages = new Map<string, number>();
  for (const [id, us] of selfUs) {
    busy += us;
    const leaf = nodes.get(id)!.callFrame;
    packages.set(
      packageOf(leaf.url, leaf.functionName),
      (packages.get(packageOf(leaf.url, leaf.functionName)) ?? 0) + us,
    );
    const found = new Set<string>();
    const closed = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { url, functionName } = nodes.get(cur)!.callFrame;
      for (const [name, test] of FEATURES) if (!closed.has(name) && test(url, functionName)) found.add(name);
      if (CONTINUATION(url, functionName)) for (const [name] of FEATURES) if (!found.has(name)) closed.add(name);
    }
    for (const name of found) features[name] += us;
  }
  const share = (us: number) => us / busy;
  return {
    busyMs: busy / 1000,
    samples,
    features: Object.fromEntries(Object.entries(features).map(([name, us]) => [name, share(us)])),
    garbageCollector: share(packages.get('(garbage collector)') ?? 0),
    writev: share(packages.get('writev') ?? 0),
    packages: [...packages.entries()]
      .map(([name, us]) => [name, share(us)] as [string, number])
      .sort((a, b) => b[1] - a[1]),
  };
}

function packageOf(url: string, name: string): string {
  if (!url) return name;
  const module = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  if (url.startsWith('node:')) return url;
  return url.replace(/^.*\/dist\//, 'dist/');
}

interface Call {
  name: string;
  request: (tokens: string[]) => autocannon.Request;
}

const ALL_CALLS: Call[] = [
  { name: 'hub validate', request: validateRequest },
  { name: 'authentik list', request: authentikListRequest },
];

async function load(base: string, request: autocannon.Request, duration: number): Promise<autocannon.Result> {
  return autocannon({ url: base, connections: CONNECTIONS, duration, requests: [request] });
}

const percent = (share: number) => `${(100 * share).toFixed(2)} %`;

async function profileCall(call: Call, usernames: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-profile-'));
  try {
    const service = await startService(`profile ${call.name}`, PORT, PRODUCTION, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-interval=${INTERVAL_US}`,
    ]);
    // The profile's clock is the process's monotonic clock in µs; the window is placed by elapsed time from its
    // start, which is when the service process started (within the few ms before `startService` began waiting).
    const spawnedAt = performance.now();
    let measured: autocannon.Result;
    let window: [number, number];
    try {
      const tokens = await makeTokens(service.base, usernames, 200);
      await load(service.base, call.request(tokens), WARMUP);
      const from = performance.now();
      measured = await load(service.base, call.request(tokens), SECONDS);
      window = [(from - spawnedAt) * 1000, (performance.now() - spawnedAt) * 1000];
    } finally {
      await stop(service.child);
    }
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('the service wrote no profile');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const result = attribute(profile, profile.startTime + window[0], profile.startTime + window[1]);
    const errors = measured.non2xx + measured.errors + measured.timeouts;
    log(
      `${call.name}: ${measured.requests.average} requests/s, ${errors} errors; ` +
        FEATURES.map(([name]) => `${name} ${percent(result.features[name])}`).join(', '),
    );
    const guards = result.features['rate limits'] + result.features['security headers'];
    const rows: [string, number][] = [
      ...FEATURES.map(([name]) => [name, result.features[name]] as [string, number]),
      ['rate limits and security headers together', guards],
    ];
    const perRequestUs = (result.busyMs * 1000) / (measured['2xx'] + measured.non2xx);
    return [
      `## ${call.name}`,
      '',
      `${SECONDS} s at ${CONNECTIONS} connections after ${WARMUP} s of warm-up: ${measured.requests.average} requests/s, ` +
        `${errors} errors; ${result.samples} busy samples (${Math.round(result.busyMs)} ms of CPU on the main thread, ` +
        `about ${perRequestUs.toFixed(0)} µs a request).`,
      '',
      '| feature | share of the busy samples | share of those outside `writev` |',
      '|---|---:|---:|',
      ...rows.map(([name, share]) => `| ${name} | ${percent(share)} | ${percent(share / (1 - result.writev))} |`),
      '',
      `For scale, of all code: garbage collection ${percent(result.garbageCollector)}; the largest self times:`,
      '',
      '| where | share |',
      '|---|---:|',
      ...result.packages.slice(0, 15).map(([name, share]) => `| ${name} | ${percent(share)} |`),
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await prepareData();
  build();
  const picked = await sweepAndPickFixtures();
  const sections: string[] = [];
  for (const call of ALL_CALLS.filter((c) => CALLS.includes(c.name)))
    sections.push(await profileCall(call, picked.usernames));
  const report = [
    '# What each per-request feature costs, read off a CPU profile',
    '',
    `Run ${new Date().toISOString()}: \`node --cpu-prof\` (a sample every ${INTERVAL_US} µs) on the service as in ` +
      'production (one worker, rate limits, security headers, request logs and metrics on), loaded by autocannon; ' +
      "a feature's share is the share of busy samples taken in its code or what it called, up to the hook runner " +
      '(bench/feature-profile.ts says what this leaves out).',
    '',
    ...sections,
  ].join('\n');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'feature-profile.md'), report);
  log('wrote bench/results/feature-profile.md');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
