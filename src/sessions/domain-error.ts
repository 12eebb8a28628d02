/** What went wrong, in the domain's words; each face's exception filter turns a code into its vendor's answer. */
export enum DomainErrorCode {
  NotAuthenticated = 'not_authenticated',
  BadCredentials = 'bad_credentials',
  NotPermitted = 'not_permitted',
  NotFound = 'not_found',
  /** It exists, but the caller may not see it: each face chooses between its own 404 and 403. */
  NotVisible = 'not_visible',
  InvalidAction = 'invalid_action',
  InvalidValue = 'invalid_value',
  RequiredValue = 'required_value',
  Conflict = 'conflict',
  /** The service cannot answer now (database unreachable or too busy): the client may retry shortly. */
  Unavailable = 'unavailable',
  /** The client asked too often: refused until `retryAfterSeconds` have passed. */
  RateLimited = 'rate_limited',
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** For validation codes: the input field at fault. */
    readonly field?: string,
    /** For Unavailable and RateLimited: when the client may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(what: string): DomainError {
    return new DomainError(DomainErrorCode.NotFound, `${what} not found.`);
  }

  /** Raised where something exists but belongs to someone the caller may not see; worded like not found. */
  static notVisible(what: string): DomainError {
    return new DomainError(DomainErrorCode.NotVisible, `${what} not found.`);
  }

  static invalid(field: string, message: string): DomainError {
    return new DomainError(DomainErrorCode.InvalidValue, message, field);
  }
}

/** Why a key was refused, for operators (logs, metrics); clients only ever see the generic message. */
export type RefusalReason =
  'no_credentials' | 'malformed' | 'unknown_key' | 'expired' | 'revoked' | 'ended' | 'inactive_user';

export class BadCredentialsError extends DomainError {
  constructor(
    readonly reason: RefusalReason,
    message = 'Token invalid/expired',
  ) {
    super(DomainErrorCode.BadCredentials, message);
  }
}

export function isBadCredentials(error: unknown): boolean {
  return error instanceof DomainError && error.code === DomainErrorCode.BadCredentials;
}

/** The reason behind a refused key, when the error carries one. */
export function refusalReason(error: unknown): RefusalReason | undefined {
  if (error instanceof BadCredentialsError) return error.reason;
  if (error instanceof DomainError && error.code === DomainErrorCode.NotAuthenticated) return 'no_credentials';
  return undefined;
}
