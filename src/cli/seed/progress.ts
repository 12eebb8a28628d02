import { writeSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/**
 * Progress a person watching a long seed sees move: a line every few seconds, whatever the database is doing, with
 * how much of the current phase is done, the rate and the time left. The lines are written by a worker thread:
 * embedded PGlite runs each statement on this thread and holds it until the statement ends (a 10,000-row batch, an
 * index build over a million rows), so a timer here would fall silent exactly when a line is wanted most.
 */

export interface ProgressOptions {
  /** The file descriptor the lines are written to (1: standard output). */
  fd: number;
  /** Put before every line (the bench prefixes its own lines). */
  prefix?: string;
  /** Seconds between lines; 2 unless set. */
  everySeconds?: number;
}

/** What the ticker knows: the phase, its size, and how far it is. */
export interface PhaseState {
  label: string;
  /** Null for a phase whose size is not known: the line then tells only how long it has run. */
  total: number | null;
  done: number;
  /** When the phase started and when the whole run did (epoch milliseconds). */
  phaseStarted: number;
  runStarted: number;
}

type Message = { phase: string; total: number | null; at: number } | { done: number } | { stop: true };

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One progress line: `[12.3 s] sessions: 120,000 of 200,000 (60%), 11,234/s, about 7 s to go`. */
export function progressLine(state: PhaseState, now: number): string {
  const elapsed = now - state.phaseStarted;
  const clock = `[${seconds(now - state.runStarted)}] ${state.label}`;
  if (state.total === null) return `${clock}: ${seconds(elapsed)} so far`;
  const share = state.total > 0 ? Math.floor((100 * state.done) / state.total) : 100;
  const rate = elapsed > 0 ? (state.done * 1000) / elapsed : 0;
  const rateText = rate >= 100 ? count(rate) : rate.toFixed(1);
  const left =
    state.done >= state.total
      ? 'done'
      : rate > 0
        ? `about ${seconds(((state.total - state.done) / rate) * 1000)} to go`
        : 'rate not known yet';
  return `${clock}: ${count(state.done)} of ${count(state.total)} (${share}%), ${rateText}/s, ${left}`;
}

/** The main thread's side: phases and counts go to the ticker as messages, which it reads on its own thread. */
export class Progress {
  private readonly worker: Worker | null;
  private readonly started = Date.now();

  constructor(options: ProgressOptions | undefined) {
    this.worker = options
      ? new Worker(TICKER, {
          eval: true,
          workerData: {
            file: __filename,
            fd: options.fd,
            prefix: options.prefix ?? '',
            every: options.everySeconds ?? 2,
            started: this.started,
          } satisfies TickerData,
        })
      : null;
    this.worker?.unref();
  }

  /** Starts a phase of `total` steps (null: not known); the ticker prints its state from now on. */
  phase(label: string, total: number | null = null): void {
    this.post({ phase: label, total, at: Date.now() });
  }

  /** `n` more steps of the current phase are done. */
  add(n: number): void {
    this.post({ done: n });
  }

  /** Seconds since the run started. */
  elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  async close(): Promise<void> {
    this.post({ stop: true });
    await this.worker?.terminate();
  }

  private post(message: Message): void {
    this.worker?.postMessage(message);
  }
}

/** The worker's code: loads this module again (through ts-node where the seed runs from source) and ticks. */
const TICKER = `
  const { workerData } = require('node:worker_threads');
  if (workerData.file.endsWith('.ts') && !require.extensions['.ts']) require('ts-node/register/transpile-only');
  require(workerData.file);
`;

interface TickerData {
  file: string;
  fd: number;
  prefix: string;
  every: number;
  started: number;
}

/** In the worker: prints the current phase every few seconds, straight to the descriptor (not through the main thread). */
function tick(data: TickerData): void {
  let state: PhaseState | null = null;
  const print = () => {
    if (state) writeSync(data.fd, `${data.prefix}${progressLine(state, Date.now())}\n`);
  };
  const timer = setInterval(print, data.every * 1000);
  parentPort!.on('message', (message: Message) => {
    if ('phase' in message) {
      state = {
        label: message.phase,
        total: message.total,
        done: 0,
        phaseStarted: message.at,
        runStarted: data.started,
      };
    } else if ('done' in message && state) {
      state.done += message.done;
    } else if ('stop' in message) {
      clearInterval(timer);
      parentPort!.close();
    }
  });
}

if (!isMainThread && (workerData as Partial<TickerData> | null)?.file === __filename) tick(workerData as TickerData);
