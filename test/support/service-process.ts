import { ChildProcess, spawn } from 'node:child_process';
import { Agent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The repository root: the service runs from there, as `node -r ts-node/register/transpile-only src/main.ts`. */
export const ROOT = join(__dirname, '..', '..');

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One HTTP exchange over node:http: a complete answer, or the socket error that stopped it. Never rejects. */
export interface RawResult {
  status?: number;
  headers?: IncomingHttpHeaders;
  text?: string;
  body?: any;
  /** `ECONNRESET`, `ECONNREFUSED`, `socket hang up`, `aborted`, `timeout`, ...: no complete answer. */
  error?: string;
  startedAt: number;
  endedAt: number;
}

export interface RawRequest {
  method?: string;
  path: string;
  key?: string;
  body?: unknown;
  /** A keep-alive agent to share connections; none: a fresh connection closed after the answer. */
  agent?: Agent;
  timeoutMs?: number;
  /** Headers as sent, even those fetch forbids (Host). */
  headers?: Record<string, string>;
}

export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawResult> {
  const url = new URL(options.path, baseUrl);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (!options.agent) headers.connection = 'close';
  Object.assign(headers, options.headers);
  const startedAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Omit<RawResult, 'startedAt' | 'endedAt'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, startedAt, endedAt: Date.now() });
    };
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('aborted', () => done({ error: 'aborted' }));
        res.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
        res.on('end', () => {
          if (!res.complete) return done({ error: 'incomplete' });
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          if (text && (res.headers['content-type'] ?? '').includes('json')) {
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
          }
          done({ status: res.statusCode, headers: res.headers, text, body });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 30_000, () => {
      done({ error: 'timeout' });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    req.end(payload);
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

/**
 * Starts the service as a child process (`src/main.ts` through ts-node) with `env` on top of a clean environment
 * (PATH and HOME only, so no DATABASE_URL or DATA_DIR leaks in), on a free port.
 */
export async function spawnService(env: Record<string, string>, script = 'src/main.ts'): Promise<ServiceProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'warn',
      // These tests load the service on purpose; test/rate-limits.e2e-spec.ts is where limits are tested.
      RATE_LIMITS: 'off',
      GEOIP_BUILTIN: 'off',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    }),
  );
  return {
    child,
    pid: child.pid!,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    hasExited: () => exitedFlag,
  };
}

/**
 * Waits until readiness answers 200; throws with the process's output when it exits or takes too long (a two-worker
 * service started through ts-node took 24 s on a loaded CI machine).
 */
export async function waitReady(service: ServiceProcess, timeoutMs = 100_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (service.hasExited()) throw new Error(`the service exited before it was ready:\n${service.output()}`);
    const res = await rawRequest(service.baseUrl, { path: '/-/health/ready', timeoutMs: 5000 });
    if (res.status === 200) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`the service was not ready after ${timeoutMs} ms:\n${service.output()}`);
}

/** Stops a child that is still running (SIGKILL) and waits for it: for afterAll / finally blocks. */
export async function killService(service: ServiceProcess | undefined): Promise<void> {
  if (!service || service.hasExited()) return;
  service.child.kill('SIGKILL');
  await service.exited;
}

/** Runs a command to its end in a clean environment (PATH, HOME and `env`): exit code, output and its duration. */
export function runCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}
