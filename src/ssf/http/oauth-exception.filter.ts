import { Catch, HttpException } from '@nestjs/common';
import { FaceAnswer, FaceExceptionFilter } from '../../http/face-exception.filter';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { ssfErrorAnswer } from './ssf-exception.filter';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/** A token request refused as RFC 6749 §5.2 says. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    message: string,
    /** invalid_client after HTTP Basic authentication: 401 with a Basic challenge. */
    readonly basicChallenge = false,
  ) {
    super(message);
  }
}

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** The token endpoint's answers: `{error, error_description}` (400, or 401 for a client that failed Basic). */
export function oauthErrorAnswer(exception: unknown): FaceAnswer | null {
  if (exception instanceof OAuthError) {
    const status = exception.basicChallenge ? 401 : 400;
    const challenge: Record<string, string> = exception.basicChallenge
      ? { 'WWW-Authenticate': 'Basic realm="ssf"' }
      : {};
    return {
      status,
      body: { error: exception.error, error_description: exception.message },
      headers: { ...NO_STORE, ...challenge },
    };
  }
  if (exception instanceof DomainError && exception.code === DomainErrorCode.InvalidValue)
    return { status: 400, body: { error: 'invalid_request', error_description: exception.message }, headers: NO_STORE };
  // Refusals from below the route (a body over the size limit, an unsupported content type), with their status.
  if (exception instanceof HttpException && exception.getStatus() < 500)
    return {
      status: exception.getStatus(),
      body: { error: 'invalid_request', error_description: exception.message },
      headers: NO_STORE,
    };
  // Anything else (rate limits, the database out of reach): the status and headers the other SSF endpoints give,
  // in RFC 6749's shape, so a client reads every answer of this endpoint one way.
  const answer = ssfErrorAnswer(exception);
  if (!answer) return null;
  const { err, description } = answer.body as { err: string; description: string };
  return {
    ...answer,
    body: { error: err, error_description: description },
    headers: { ...answer.headers, ...NO_STORE },
  };
}

@Catch()
export class OAuthExceptionFilter extends FaceExceptionFilter {
  constructor() {
    super('ssf-token', oauthErrorAnswer, { status: 500, body: { error: 'server_error' } });
  }
}
