import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { DomainError, DomainErrorCode } from '../sessions/domain-error';

export class MalformedJson {
  constructor(readonly reason: string) {}
}

/** Turns an unparseable JSON body into a domain error, which the route's face renders as its bad-request answer. */
@Injectable()
export class MalformedBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    if (body instanceof MalformedJson) {
      throw new DomainError(DomainErrorCode.InvalidValue, `Malformed JSON body: ${body.reason}`, 'body');
    }
    return next.handle();
  }
}
