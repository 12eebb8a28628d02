import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { AuthentikHttpError, NOT_FOUND_DETAIL } from './authentik.request';

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
  }
}

/** Renders every failure on the authentik face the way authentik does: `{"detail": ...}` bodies, DRF's codes. */
@Catch()
export class AuthentikExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('authentik');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof AuthentikHttpError) {
      reply.status(exception.status).send(exception.body);
      return;
    }
    if (exception instanceof DomainError) {
      const { status, body } = authentikErrorFor(exception);
      reply.status(status).send(body);
      return;
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const body = exception.getResponse();
      const detail = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      reply.status(exception.getStatus()).send({
        detail: Array.isArray(detail) ? detail.join(' ') : typeof detail === 'string' ? detail : JSON.stringify(detail),
      });
      return;
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    // authentik's unhandled errors are an HTML page, not JSON.
    reply.status(500).header('content-type', 'text/html; charset=utf-8').send('<h1>Server Error (500)</h1>');
  }
}
