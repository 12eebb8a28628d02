/**
 * SIGTERM / SIGINT caught from the process's first moment, before the real handlers exist: loading the modules and
 * building the app take seconds, and a signal then (an orchestrator stopping a pod that is still starting, or the
 * primary of WORKERS=N forwarding its own to a worker that is) would kill the process by its default action, which
 * its supervisor reports as an unclean exit. The first signal is remembered for the real handlers to act on at once
 * (closeOnSignals, superviseWorkers), within what is left of SHUTDOWN_GRACE_SECONDS; a second SIGINT exits at once
 * (Ctrl-C twice), while other repeats are ignored (a worker gets a group's signal directly and its primary's
 * forwarded one); a start still unfinished SHUTDOWN_GRACE_SECONDS after the signal exits 1. Imported first by
 * main.ts, before anything heavy; plain Node only. (A process signalled during Node's own bootstrap, before its
 * first module runs, still dies of it: tens of milliseconds.)
 */
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface EarlySignal {
  signal: NodeJS.Signals;
  /** When it arrived (Date.now()): the grace period counts from here. */
  at: number;
}

let received: EarlySignal | null = null;
let giveUp: NodeJS.Timeout | undefined;

function graceMs(): number {
  return (Number(process.env.SHUTDOWN_GRACE_SECONDS) || 25) * 1000;
}

function remember(signal: NodeJS.Signals): void {
  if (received) {
    if (signal === 'SIGINT' && received.signal === 'SIGINT') process.exit(1);
    return;
  }
  received = { signal, at: Date.now() };
  giveUp = setTimeout(() => process.exit(1), graceMs());
  giveUp.unref();
}

for (const signal of SIGNALS) process.on(signal, remember);

/**
 * Hands over to the real handlers: the signal that arrived while starting, if one did, and stops catching. Call it
 * after the real handlers are registered: a signal's listener count must not drop to zero in between, or Node closes
 * the signal's watcher and drops a signal caught but not yet delivered.
 */
export function takeEarlySignal(): EarlySignal | null {
  for (const signal of SIGNALS) process.removeListener(signal, remember);
  clearTimeout(giveUp);
  return received;
}

/** How long a shutdown may still take: SHUTDOWN_GRACE_SECONDS, less what passed since an early signal arrived. */
export function remainingGraceMs(graceSeconds: number, early: EarlySignal | null): number {
  return Math.max(0, graceSeconds * 1000 - (early ? Date.now() - early.at : 0));
}
