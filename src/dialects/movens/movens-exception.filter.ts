import { Catch, HttpException } from '@nestjs/common';
import { FaceAnswer, FaceExceptionFilter } from '../../http/face-exception.filter';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { MovensError, MovensMessageKey } from './movens.request';

/** Domain codes that MOVENS answers with a 400 message; the rest are status-only answers or a 500. */
const MESSAGE: Partial<Record<DomainErrorCode, MovensMessageKey>> = {
  [DomainErrorCode.InvalidValue]: 'err_InvalidRequest',
  [DomainErrorCode.RequiredValue]: 'err_InvalidRequest',
  // The face's only lookup by session is revoke: a session that is unknown, not visible or not live.
  [DomainErrorCode.NotFound]: 'err_NoActiveSession',
  [DomainErrorCode.NotVisible]: 'err_NoActiveSession',
  [DomainErrorCode.InvalidAction]: 'err_NoActiveSession',
};

/**
 * MOVENS answers as ASP.NET Core does: 401 with an empty body and `WWW-Authenticate: Bearer` for missing or bad
 * tokens, 403 with an empty body for the wrong role, 400 `{"Message": "err_..."}` for refused input, 429 and 503
 * empty (with Retry-After), 500 empty. Null for a bug.
 */
export function movensErrorAnswer(exception: unknown): FaceAnswer | null {
  if (exception instanceof MovensError) return { status: 400, body: { Message: exception.key } };
  if (exception instanceof DomainError) {
    switch (exception.code) {
      case DomainErrorCode.NotAuthenticated:
      case DomainErrorCode.BadCredentials:
        return { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } };
      case DomainErrorCode.NotPermitted:
        return { status: 403 };
      case DomainErrorCode.RateLimited:
        return { status: 429 };
      case DomainErrorCode.Unavailable:
        return { status: 503 };
    }
    const message = MESSAGE[exception.code];
    if (message) return { status: 400, body: { Message: message } };
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    // A body that is not JSON is refused as any other bad revoke body (ASP.NET would say 415; MOVENS' clients read
    // err_InvalidRequest).
    if (exception.getStatus() === 415) return { status: 400, body: { Message: 'err_InvalidRequest' } };
    return { status: exception.getStatus() };
  }
  return null;
}

@Catch()
export class MovensExceptionFilter extends FaceExceptionFilter {
  constructor() {
    super('movens', movensErrorAnswer, { status: 500 });
  }
}
