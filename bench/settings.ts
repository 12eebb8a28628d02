/** The bench's settings, read from the environment (`npm run bench -- --help` lists them), and its log. */
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');

/** One line per setting, for --help. */
export const SETTINGS: string[] = [];
export function setting(name: string, fallback: string, description: string): string {
  SETTINGS.push(`  ${name.padEnd(20)} ${description} (${fallback === '' ? 'unset' : fallback})`);
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

export const DATABASE_URL = setting(
  'BENCH_DATABASE_URL',
  'postgres://postgres@127.0.0.1:5432/sessionhub_bench',
  'PostgreSQL database, created and seeded if missing',
);
export const DURATION = Number(
  setting('BENCH_DURATION', '10', 'seconds each endpoint is measured, after a 2 s warm-up'),
);
/** More than one: service and floor alternate, in turn first, and each figure is the median of the rounds. */
export const ROUNDS = Number(
  setting('BENCH_ROUNDS', '1', 'measured rounds per endpoint, service and floor alternating; medians reported'),
);
export const CONNECTIONS = Number(setting('BENCH_CONNECTIONS', '64', 'concurrent connections autocannon keeps open'));
export const WORKER_COUNTS = setting('BENCH_WORKERS', '1,2', 'worker process counts to run, comma-separated')
  .split(',')
  .map(Number);
export const USERS = Number(setting('BENCH_USERS', '10000', 'users the database holds at least'));
export const SESSIONS = Number(setting('BENCH_SESSIONS', '1000000', 'sessions the database holds at least'));
export const ONLY = setting('BENCH_ENDPOINTS', '', 'endpoint names to run, comma-separated; all when unset')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
export const SKIP_BUILD = setting('BENCH_SKIP_BUILD', '', 'set: run the existing dist/ without `npm run build`') !== '';
/** A fixed key: the service stores BOOTSTRAP_TOKEN once, under the identifier `bootstrap`, and keeps that one. */
export const BOOTSTRAP_TOKEN = setting(
  'BENCH_TOKEN',
  'shk_sessionhub_bench_bootstrap_token',
  "the service's BOOTSTRAP_TOKEN, the key requests carry",
);
/**
 * Where logins come from: `random` public addresses and rotating agents (every login of a user somewhere else, on
 * another device: the worst case for login insight, which records new devices, countries and impossible travel
 * nearly every time), or each user's `home` address and device (one of a few real addresses and one agent, the same
 * for every login of that user: the usual case).
 */
export const LOGIN_IPS = setting('BENCH_LOGIN_IPS', 'random', 'random | home: where the hub create logins come from');

/** Extra settings for the service under test, e.g. `LOG_LEVEL=info,METRICS=off`, to measure what each costs. */
export const SERVICE_ENV: Record<string, string> = Object.fromEntries(
  setting('BENCH_SERVICE_ENV', '', "the service's extra environment, NAME=value pairs comma-separated")
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]),
);
export const SERVICE_PORT = 3900;
export const FLOOR_PORT = 3901;
export const CEILING_PORT = 3902;

export const log = (line: string) => console.log(`[bench] ${line}`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
