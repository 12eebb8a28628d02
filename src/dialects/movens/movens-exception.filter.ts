import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
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
 * tokens, 403 with an empty body for the wrong role, 400 `{"Message": "err_..."}` for refused input, 500 empty.
 */
@Catch()
export class MovensExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('movens');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof MovensError) {
      reply.status(400).send({ Message: exception.key });
      return;
    }
    if (exception instanceof DomainError) {
      if (exception.code === DomainErrorCode.NotAuthenticated || exception.code === DomainErrorCode.BadCredentials) {
        reply.status(401).header('WWW-Authenticate', 'Bearer').send();
        return;
      }
      if (exception.code === DomainErrorCode.NotPermitted) {
        reply.status(403).send();
        return;
      }
      const message = MESSAGE[exception.code];
      if (message) {
        reply.status(400).send({ Message: message });
        return;
      }
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      reply.status(exception.getStatus()).send();
      return;
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    reply.status(500).send();
  }
}
