import { Catch, HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { FaceAnswer, FaceExceptionFilter } from '../http/face-exception.filter';
import { DomainError, DomainErrorCode } from '../sessions/domain-error';

const STATUS: Record<DomainErrorCode, HttpStatus> = {
  [DomainErrorCode.NotAuthenticated]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.BadCredentials]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.NotPermitted]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.NotVisible]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.InvalidAction]: HttpStatus.CONFLICT,
  [DomainErrorCode.InvalidValue]: HttpStatus.BAD_REQUEST,
  [DomainErrorCode.RequiredValue]: HttpStatus.BAD_REQUEST,
  [DomainErrorCode.Conflict]: HttpStatus.CONFLICT,
  [DomainErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [DomainErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
};

const REASON: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Bad Request',
  [HttpStatus.UNAUTHORIZED]: 'Unauthorized',
  [HttpStatus.FORBIDDEN]: 'Forbidden',
  [HttpStatus.NOT_FOUND]: 'Not Found',
  [HttpStatus.CONFLICT]: 'Conflict',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Too Many Requests',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service Unavailable',
  [HttpStatus.INTERNAL_SERVER_ERROR]: 'Internal Server Error',
};

const HUB_SERVER_ERROR: FaceAnswer = {
  status: 500,
  body: { statusCode: 500, error: REASON[500], message: 'Internal server error' },
};

/** The hub's answer to a failure, as Nest answers errors: `{statusCode, error, message}`; null for a bug. */
export function hubErrorAnswer(exception: unknown): FaceAnswer | null {
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    return {
      status: exception.getStatus(),
      // Fastify's refusals (a body over the limit) carry only a message: the reason phrase completes the shape.
      body:
        typeof body === 'string'
          ? { statusCode: exception.getStatus(), error: STATUS_CODES[exception.getStatus()], message: body }
          : body,
    };
  }
  if (exception instanceof DomainError) {
    const status = STATUS[exception.code];
    return {
      status,
      body: { statusCode: status, error: REASON[status], message: exception.message },
      // A bad bearer key also gets WWW-Authenticate.
      headers: status === HttpStatus.UNAUTHORIZED ? { 'WWW-Authenticate': 'Bearer' } : undefined,
    };
  }
  return null;
}

@Catch()
export class HubExceptionFilter extends FaceExceptionFilter {
  constructor() {
    super('hub', hubErrorAnswer, HUB_SERVER_ERROR);
  }
}
