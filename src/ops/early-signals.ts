/**
 * SIGTERM / SIGINT caught from the process's first moment, before the real handlers exist: loading the modules and
 * building the app take seconds, and a signal then (an orchestrator stopping a pod that is still starting, or the
 * primary of WORKERS=N forwarding its own to a worker that is) would kill the process by its default action, which
 * its supervisor reports as an unclean exit. The first signal is remembered for the real handlers to act on at once
 * (closeOnSignals, superviseWorkers); a second one exits at once (Ctrl-C twice), and so does a start that outlasts
 * SHUTDOWN_GRACE_SECONDS after the signal. Imported first by main.ts, before anything heavy; plain Node only.
 */
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
let received: NodeJS.Signals | null = null;
let giveUp: NodeJS.Timeout | undefined;

function remember(signal: NodeJS.Signals): void {
  if (received) process.exit(1);
  received = signal;
  const graceSeconds = Number(process.env.SHUTDOWN_GRACE_SECONDS) || 25;
  giveUp = setTimeout(() => process.exit(1), graceSeconds * 1000);
  giveUp.unref();
}

for (const signal of SIGNALS) process.on(signal, remember);

/** Hands over to the real handlers: the signal that arrived while starting, if one did (and stops catching). */
export function takeEarlySignal(): NodeJS.Signals | null {
  for (const signal of SIGNALS) process.removeListener(signal, remember);
  clearTimeout(giveUp);
  return received;
}
