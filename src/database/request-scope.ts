import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The HTTP request a piece of database work serves, carried through async calls: its abort signal fires when the
 * client goes away before the answer, so the database can cancel the query instead of finishing work nobody reads.
 */
const scope = new AsyncLocalStorage<AbortSignal>();

export function runInRequestScope(signal: AbortSignal, work: () => void): void {
  scope.run(signal, work);
}

export function currentRequestSignal(): AbortSignal | undefined {
  return scope.getStore();
}
