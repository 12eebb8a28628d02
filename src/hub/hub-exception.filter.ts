import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
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
};

const REASON: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Bad Request',
  [HttpStatus.UNAUTHORIZED]: 'Unauthorized',
  [HttpStatus.FORBIDDEN]: 'Forbidden',
  [HttpStatus.NOT_FOUND]: 'Not Found',
  [HttpStatus.CONFLICT]: 'Conflict',
  [HttpStatus.INTERNAL_SERVER_ERROR]: 'Internal Server Error',
};

/** The hub answers errors as Nest does: `{statusCode, error, message}`; a bad bearer key also gets WWW-Authenticate. */
@Catch()
export class HubExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('hub');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      reply
        .status(exception.getStatus())
        .send(typeof body === 'string' ? { statusCode: exception.getStatus(), message: body } : body);
      return;
    }
    if (exception instanceof DomainError) {
      const status = STATUS[exception.code];
      if (status === HttpStatus.UNAUTHORIZED) reply.header('WWW-Authenticate', 'Bearer');
      reply.status(status).send({ statusCode: status, error: REASON[status], message: exception.message });
      return;
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    reply.status(500).send({ statusCode: 500, error: REASON[500], message: 'Internal server error' });
  }
}
