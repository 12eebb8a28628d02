import { Catch, HttpException } from '@nestjs/common';
import { FaceAnswer, FaceExceptionFilter } from '../../http/face-exception.filter';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';

/** SSF's error vocabulary (RFC 8935 §2.3's `err` codes where one fits) per domain error code. */
const SSF_ERROR: Record<DomainErrorCode, { status: number; err: string }> = {
  [DomainErrorCode.NotAuthenticated]: { status: 401, err: 'authentication_failed' },
  [DomainErrorCode.BadCredentials]: { status: 401, err: 'authentication_failed' },
  [DomainErrorCode.NotPermitted]: { status: 403, err: 'access_denied' },
  [DomainErrorCode.NotFound]: { status: 404, err: 'not_found' },
  [DomainErrorCode.NotVisible]: { status: 404, err: 'not_found' },
  [DomainErrorCode.InvalidAction]: { status: 409, err: 'conflict' },
  [DomainErrorCode.InvalidValue]: { status: 400, err: 'invalid_request' },
  [DomainErrorCode.RequiredValue]: { status: 400, err: 'invalid_request' },
  [DomainErrorCode.Conflict]: { status: 409, err: 'conflict' },
  [DomainErrorCode.RateLimited]: { status: 429, err: 'too_many_requests' },
  [DomainErrorCode.Unavailable]: { status: 503, err: 'temporarily_unavailable' },
};

/** What a bearer challenge says (RFC 6750 §3): `invalid_token` only when a token was presented and refused. */
function challenge(code: DomainErrorCode): string {
  return code === DomainErrorCode.BadCredentials ? 'Bearer realm="ssf", error="invalid_token"' : 'Bearer realm="ssf"';
}

/** A failure as the SSF endpoints answer it: `{err, description}`; null for a bug (500). */
export function ssfErrorAnswer(exception: unknown): FaceAnswer | null {
  if (exception instanceof DomainError) {
    const { status, err } = SSF_ERROR[exception.code];
    return {
      status,
      body: { err, description: exception.message },
      headers: status === 401 ? { 'WWW-Authenticate': challenge(exception.code) } : undefined,
    };
  }
  // Refusals from below the routes (a body over the size limit, an unsupported content type, no such route).
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    const status = exception.getStatus();
    return { status, body: { err: status === 404 ? 'not_found' : 'invalid_request', description: exception.message } };
  }
  return null;
}

@Catch()
export class SsfExceptionFilter extends FaceExceptionFilter {
  constructor() {
    super('ssf', ssfErrorAnswer, {
      status: 500,
      body: { err: 'server_error', description: 'Internal server error' },
    });
  }
}
