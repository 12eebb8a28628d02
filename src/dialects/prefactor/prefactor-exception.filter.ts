import { Catch, HttpException } from '@nestjs/common';
import { FaceAnswer, FaceExceptionFilter } from '../../http/face-exception.filter';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { notJsonObject, PrefactorRequestError } from './prefactor.request';

export type PrefactorErrorCode =
  | 'bad_request'
  | 'bad_authtoken'
  | 'not_authenticated'
  | 'not_permitted'
  | 'not_implemented'
  | 'unknown'
  | 'not_found'
  | 'unexpected_ref_type'
  | 'unexpected'
  | 'invalid_action'
  | 'invalid_value'
  | 'required_value'
  | 'rate_limited'
  | 'unavailable';

/** HTTP status per Prefactor error code (DESIGN.md). */
export const PREFACTOR_STATUS: Record<PrefactorErrorCode, number> = {
  bad_request: 400,
  unexpected_ref_type: 400,
  bad_authtoken: 401,
  not_authenticated: 401,
  not_permitted: 403,
  not_found: 404,
  invalid_action: 422,
  invalid_value: 422,
  required_value: 422,
  // Prefactor's documents name no codes for these; SessionHub answers them in Prefactor's envelope
  // (SESSIONHUB_CODES: kept out of the document's enum, which stays Prefactor's own).
  rate_limited: 429,
  unavailable: 503,
  unknown: 500,
  unexpected: 500,
  not_implemented: 501,
};

const DOMAIN_CODE: Record<DomainErrorCode, PrefactorErrorCode> = {
  [DomainErrorCode.NotAuthenticated]: 'not_authenticated',
  [DomainErrorCode.BadCredentials]: 'bad_authtoken',
  [DomainErrorCode.NotPermitted]: 'not_permitted',
  [DomainErrorCode.NotFound]: 'not_found',
  // Prefactor tells an existing session of someone else apart from a missing one.
  [DomainErrorCode.NotVisible]: 'not_permitted',
  [DomainErrorCode.InvalidAction]: 'invalid_action',
  [DomainErrorCode.InvalidValue]: 'invalid_value',
  [DomainErrorCode.RequiredValue]: 'required_value',
  [DomainErrorCode.Conflict]: 'invalid_action',
  [DomainErrorCode.RateLimited]: 'rate_limited',
  [DomainErrorCode.Unavailable]: 'unavailable',
};

const NOT_PERMITTED_MESSAGE = 'You may not access this session.';
export const NO_SUCH_ROUTE = 'No such route';

/** Codes SessionHub adds to Prefactor's: too many requests, and the database out of reach. */
export const SESSIONHUB_CODES: readonly PrefactorErrorCode[] = ['rate_limited', 'unavailable'];

export interface PrefactorErrorBody {
  code: PrefactorErrorCode;
  message: string;
  status: 'error';
  errors?: Record<string, string[]>;
}

/** The body and status of a Prefactor error; a pure function, so its mapping is unit-tested. */
export function toPrefactorError(
  exception: unknown,
): { status: number; body: PrefactorErrorBody; allow?: string[] } | null {
  // A body of another content type (a form, multipart) is, to revoke, a body that is not a JSON object.
  if (exception instanceof HttpException && exception.getStatus() === 415) exception = notJsonObject();
  if (exception instanceof PrefactorRequestError) {
    const body: PrefactorErrorBody = { code: exception.code, message: exception.message, status: 'error' };
    if (exception.errors) body.errors = exception.errors;
    return { status: PREFACTOR_STATUS[exception.code], body, allow: exception.allow };
  }
  if (exception instanceof DomainError) {
    // An unparseable JSON body (the global interceptor's InvalidValue on `body`) is a malformed request.
    const code: PrefactorErrorCode = exception.field === 'body' ? 'bad_request' : DOMAIN_CODE[exception.code];
    const message = exception.code === DomainErrorCode.NotVisible ? NOT_PERMITTED_MESSAGE : exception.message;
    const body: PrefactorErrorBody = { code, message, status: 'error' };
    if (exception.field && (code === 'invalid_value' || code === 'required_value' || code === 'bad_request')) {
      body.errors = { [exception.field]: [exception.message] };
    }
    return { status: PREFACTOR_STATUS[code], body };
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    const code: PrefactorErrorCode = exception.getStatus() === 404 ? 'not_found' : 'bad_request';
    // A body over the size limit keeps HTTP's 413, which any server in front would send; its code is Prefactor's.
    const status = exception.getStatus() === 413 ? 413 : PREFACTOR_STATUS[code];
    // A 404 here is a path no route matched, which the fallback route answers with the same words.
    const message = code === 'not_found' ? NO_SUCH_ROUTE : exception.message;
    return { status, body: { code, message, status: 'error' } };
  }
  return null;
}

/** The face's answer, headers included (WWW-Authenticate on 401, Allow on a wrong method); null for a bug. */
export function prefactorErrorAnswer(exception: unknown): FaceAnswer | null {
  const known = toPrefactorError(exception);
  if (!known) return null;
  const headers: Record<string, string> = {};
  if (known.status === 401) headers['WWW-Authenticate'] = 'Bearer';
  if (known.allow) headers.Allow = known.allow.join(', ');
  return { status: known.status, body: known.body, headers };
}

const PREFACTOR_SERVER_ERROR: FaceAnswer = {
  status: 500,
  body: { code: 'unexpected', message: 'An unexpected error occurred', status: 'error' } satisfies PrefactorErrorBody,
};

/** Prefactor answers errors as `{code, message, status: "error"}`, with `errors` per field for validation failures. */
@Catch()
export class PrefactorExceptionFilter extends FaceExceptionFilter {
  constructor() {
    super('prefactor', prefactorErrorAnswer, PREFACTOR_SERVER_ERROR);
  }
}
