/** What the soak and the feature-cost bench share: the build, the service under test, and session tokens. */
import { ChildProcess, spawnSync } from 'node:child_process';
import { SEED_AGENTS } from '../src/cli/seed/agents';
import { start, waitFor } from './processes';
import { BOOTSTRAP_TOKEN, DATABASE_URL, log, ROOT, SERVICE_ENV, SKIP_BUILD } from './settings';

/** `npm run build`, unless BENCH_SKIP_BUILD is set. */
export function build(): void {
  if (SKIP_BUILD) return;
  log('npm run build');
  const result = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build failed');
}

export interface ServiceUnderTest {
  child: ChildProcess;
  base: string;
}

/**
 * `node dist/main.js` with one worker on `port`, on the bench's database, as in production (NODE_ENV, warn-level
 * logs); `env` and BENCH_SERVICE_ENV on top. `nodeArgs` go before the script (preloads); `wrapper` before node
 * (e.g. valgrind, which then needs `readyWithinMs` far above the default minute).
 */
export async function startService(
  label: string,
  port: number,
  env: Record<string, string>,
  nodeArgs: string[] = [],
  { wrapper = [], readyWithinMs = 60_000 }: { wrapper?: string[]; readyWithinMs?: number } = {},
): Promise<ServiceUnderTest> {
  const [command, ...args] = [...wrapper, process.execPath, ...nodeArgs, 'dist/main.js'];
  const child = start(label, command, args, {
    DATABASE_URL,
    BOOTSTRAP_TOKEN,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...env,
    ...SERVICE_ENV,
    PORT: String(port),
    WORKERS: '1',
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/-/health/live`, readyWithinMs);
  } catch (error) {
    child.kill('SIGKILL'); // never left running behind a failed run
    throw error;
  }
  return { child, base };
}

/** Live session tokens, made through the hub's login call as an application would, one user after the other. */
export async function makeTokens(base: string, usernames: string[], n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/api/hub/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        user: usernames[i % usernames.length],
        ip: '81.2.69.160',
        userAgent: SEED_AGENTS[i % SEED_AGENTS.length].ua,
      }),
    });
    if (res.status !== 201) throw new Error(`creating a session to validate: ${res.status} ${await res.text()}`);
    tokens.push(((await res.json()) as { token: string }).token);
  }
  return tokens;
}

/** Summary statistics of a few numbers. */
export function stats(values: number[]): { mean: number; median: number; min: number; max: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { mean, median, min: Math.min(...values), max: Math.max(...values), sd };
}

/**
 * A 95 % confidence interval for the median that assumes nothing about the distribution: the order statistics k
 * and n + 1 − k, k the largest with P(Binomial(n, ½) < k) ≤ 2.5 %. Needs at least 6 values (null below).
 */
export function medianInterval(values: number[]): [number, number] | null {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  let below = 0; // P(X < k), X ~ Binomial(n, ½)
  let term = 0.5 ** n; // P(X = k - 1)
  let k = 0;
  for (let j = 0; j < n / 2; j++) {
    if (below + term > 0.025) break;
    below += term;
    term = (term * (n - j)) / (j + 1);
    k = j + 1;
  }
  return k === 0 ? null : [sorted[k - 1], sorted[n - k]];
}
