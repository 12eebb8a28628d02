import { ArgumentsHost, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { databaseCause, DatabaseUnavailableError, UnstorableValueError } from '../database/errors';
import { logFacts } from '../ops/logging';
import { DomainError, DomainErrorCode } from '../sessions/domain-error';

/** How a face answers one failure: status, body (none for an empty answer) and extra headers. */
export interface FaceAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** When a client may retry after the database was unavailable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** Failures that are not bugs, in the domain's words: database trouble becomes a coded error like any other. */
export function asDomainError(exception: unknown): unknown {
  if (exception instanceof DatabaseUnavailableError) {
    return new DomainError(DomainErrorCode.Unavailable, exception.message, undefined, UNAVAILABLE_RETRY_AFTER_SECONDS);
  }
  if (exception instanceof UnstorableValueError) {
    return new DomainError(DomainErrorCode.InvalidValue, 'The request holds a value that cannot be stored.');
  }
  return exception;
}

/** Node's error for a request body cut off by its client (`abortIncoming`): not the service's failure. */
function isBodyAborted(exception: unknown): boolean {
  // Read by shape: Node's error is made in Node's own realm, so `instanceof Error` fails under a test's VM context.
  const error = exception as { message?: unknown; code?: unknown } | null;
  return error?.message === 'aborted' && error.code === 'ECONNRESET';
}

/**
 * What every face's exception filter does: classify the failure, ask the face for its answer (a pure function of
 * the error), log and answer the face's 500 for anything it does not know, and add `Retry-After` where the domain
 * says when to retry. Each face supplies only its answers.
 */
export abstract class FaceExceptionFilter implements ExceptionFilter {
  private readonly logger: Logger;

  protected constructor(
    face: string,
    /** The face's answer to a known failure; null for a bug. */
    private readonly answer: (exception: unknown) => FaceAnswer | null,
    /** The face's answer to a bug. */
    private readonly serverError: FaceAnswer,
  ) {
    this.logger = new Logger(face);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    // The client hung up while its body was arriving: nobody to answer and no bug. Its request is logged and counted
    // once, at info, as a closed request (ops/client-closed.ts).
    if (isBodyAborted(exception)) return;
    // The client reads "try again"; the operator's line for the request says what the database did.
    if (exception instanceof DatabaseUnavailableError) logFacts(request).cause = databaseCause(exception);
    const error = asDomainError(exception);
    let answer = this.answer(error);
    if (!answer) {
      const where = `${request.method} ${request.routeOptions.url ?? 'unmatched'} (request ${String(request.id)})`;
      this.logger.error(`${where}: ${exception instanceof Error ? exception.stack : String(exception)}`);
      answer = this.serverError;
    }
    if (error instanceof DomainError && error.retryAfterSeconds !== undefined) {
      reply.header('Retry-After', String(error.retryAfterSeconds));
    }
    for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
    reply.status(answer.status).send(answer.body);
  }
}
