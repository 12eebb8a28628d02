/**
 * Database failures a request can cause or meet, told apart from bugs so each face can answer them in its own
 * words (a 503 with Retry-After, a 400) instead of a 500. The drivers' errors are classified once, here.
 */

/** The database cannot be reached, went away mid-query, or was too busy (timeout, deadlock): try again. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * What the driver said under an unavailable database, for the request's log line: its code (a SQLSTATE, or the
 * socket's, such as ECONNREFUSED) and its message. Server-side words only: no value of the request is in them.
 */
export function databaseCause(error: DatabaseUnavailableError): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? `${cause.code} ` : '';
  const message = typeof cause?.message === 'string' ? cause.message : error.message;
  return `${code}${message}`.slice(0, 300);
}

/** A statement stopped by a cancel or by the statement timeout (SQLSTATE 57014), as classified above. */
export function wasCancelled(error: unknown): boolean {
  return error instanceof DatabaseUnavailableError && (error.cause as { code?: unknown } | undefined)?.code === '57014';
}

/** The request held a value PostgreSQL cannot store or read (a NUL character, an out-of-range number). */
export class UnstorableValueError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'UnstorableValueError';
  }
}

// SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown,
// statement timeout, cancel), 40001 serialization failure, 40P01 deadlock; 22 data exception (bad input values).
const UNAVAILABLE_STATES = /^(08|53|57|40001|40P01)/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connect ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)|terminating connection/i;

/**
 * An Error, also one of another realm: the sockets' own errors (ECONNRESET) are not `instanceof Error` where the code
 * runs in a sandbox (Jest's), and a replica's reset connection must still be told apart from a bug.
 */
function isError(value: unknown): value is Error {
  if (value instanceof Error) return true;
  const candidate = value as { message?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.message === 'string';
}

/** The error to throw in place of a driver's: classified when it is one of the kinds above, else unchanged. */
export function classifyDatabaseError(error: unknown): unknown {
  if (!isError(error)) return error;
  const code = (error as { code?: unknown }).code;
  const state = typeof code === 'string' ? code : '';
  if (state === '57014') return new DatabaseUnavailableError('The request took too long and was cancelled.', error);
  if (UNAVAILABLE_STATES.test(state) || UNAVAILABLE_MESSAGES.test(error.message)) {
    return new DatabaseUnavailableError('The database is unavailable; try again shortly.', error);
  }
  if (state.startsWith('22')) return new UnstorableValueError(`A value cannot be stored: ${error.message}`, error);
  return error;
}
