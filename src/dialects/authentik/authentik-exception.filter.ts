import { Catch, HttpException } from '@nestjs/common';
import { MalformedUrl } from '../../http/face-errors';
import { FaceAnswer, FaceExceptionFilter } from '../../http/face-exception.filter';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { AuthentikHttpError, MALFORMED_ID_DETAIL, NOT_FOUND_DETAIL } from './authentik.request';

/** Domain fields named as authentik's parameters, for DRF-style field errors. */
const FIELD_NAMES: Record<string, string> = {
  lastIp: 'session__last_ip',
  lastUserAgent: 'session__last_user_agent',
  username: 'user__username',
  userIds: 'user_pks',
};

/** What authentik (DRF's default exception handler) answers for a domain error. Never 401, never WWW-Authenticate. */
export function authentikErrorFor(error: DomainError): { status: number; body: unknown } {
  switch (error.code) {
    case DomainErrorCode.NotAuthenticated:
      return { status: 403, body: { detail: 'Authentication credentials were not provided.' } };
    case DomainErrorCode.BadCredentials:
      // 'Token invalid/expired', or 'Malformed header' for `Bearer` with an empty key, as authentik says.
      return { status: 403, body: { detail: error.message } };
    case DomainErrorCode.NotPermitted:
      return { status: 403, body: { detail: 'You do not have permission to perform this action.' } };
    case DomainErrorCode.NotFound:
    case DomainErrorCode.NotVisible: // authentik's querysets hide other users' sessions
    case DomainErrorCode.InvalidAction: // a session that stopped being live between lookup and revoke: gone for authentik
      return { status: 404, body: { detail: NOT_FOUND_DETAIL } };
    case DomainErrorCode.InvalidValue:
    case DomainErrorCode.RequiredValue:
    case DomainErrorCode.Conflict:
      return {
        status: 400,
        body: { [FIELD_NAMES[error.field ?? ''] ?? error.field ?? 'non_field_errors']: [error.message] },
      };
    case DomainErrorCode.RateLimited: {
      // DRF's Throttled: "Request was throttled. Expected available in N seconds." (ngettext: "1 second.")
      const wait = error.retryAfterSeconds ?? 1;
      return {
        status: 429,
        body: { detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.` },
      };
    }
    case DomainErrorCode.Unavailable:
      return { status: 503, body: { detail: error.message } };
  }
}

/** authentik's unhandled errors are an HTML page, not JSON. */
const AUTHENTIK_SERVER_ERROR: FaceAnswer = {
  status: 500,
  body: '<h1>Server Error (500)</h1>',
  headers: { 'content-type': 'text/html; charset=utf-8' },
};

/** Every failure on the authentik face as authentik answers it: `{"detail": ...}` bodies, DRF's codes; null for a bug. */
export function authentikErrorAnswer(exception: unknown): FaceAnswer | null {
  if (exception instanceof AuthentikHttpError) return { status: exception.status, body: exception.body };
  if (exception instanceof DomainError) return authentikErrorFor(exception);
  // Django reads such a path with its escapes kept: it names no uuid, so the lookup is DRF's bare 404. A path no
  // route matches gets the same words (Django's own 404 is an HTML page).
  if (exception instanceof MalformedUrl || (exception instanceof HttpException && exception.getStatus() === 404))
    return { status: 404, body: { detail: MALFORMED_ID_DETAIL } };
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    const body = exception.getResponse();
    const detail = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
    return {
      status: exception.getStatus(),
      body: {
        detail: Array.isArray(detail) ? detail.join(' ') : typeof detail === 'string' ? detail : JSON.stringify(detail),
      },
    };
  }
  return null;
}

@Catch()
export class AuthentikExceptionFilter extends FaceExceptionFilter {
  constructor() {
    super('authentik', authentikErrorAnswer, AUTHENTIK_SERVER_ERROR);
  }
}
