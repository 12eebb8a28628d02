import {
  ArgumentMetadata,
  CallHandler,
  ExecutionContext,
  INestApplication,
  Injectable,
  NestInterceptor,
  PipeTransform,
  RequestMethod,
  Type,
} from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { Observable } from 'rxjs';
import { DomainError, DomainErrorCode } from '../sessions/domain-error';

export class MalformedJson {
  constructor(readonly reason: string) {}
}

function malformed(body: MalformedJson): DomainError {
  return new DomainError(DomainErrorCode.InvalidValue, `Malformed JSON body: ${body.reason}`, 'body');
}

/** Turns an unparseable JSON body into a domain error, which the route's face renders as its bad-request answer. */
@Injectable()
export class MalformedBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    if (body instanceof MalformedJson) throw malformed(body);
    return next.handle();
  }
}

/** The same check on a route's @Body() argument; global pipes run after the guards, as interceptors do. */
export class MalformedBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && value instanceof MalformedJson) throw malformed(value);
    return value;
  }
}

/**
 * Binds the malformed-body check where a body can arrive, at the least cost. An interceptor on every route costs
 * each request an rxjs pipeline and an AsyncResource binding (about a third of the CPU of a token validation), so:
 * GET and HEAD routes get nothing (Fastify does not parse their bodies); routes that take a @Body() get the check
 * as a global pipe on that argument; the other routes (a DELETE, say) keep the interceptor. Call before app.init().
 */
export function bindMalformedBodyChecks(app: INestApplication): void {
  app.useGlobalPipes(new MalformedBodyPipe());
  const interceptor = new MalformedBodyInterceptor();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler: unknown = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined || method === RequestMethod.GET || method === RequestMethod.HEAD) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, unknown>;
        if (Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY))) continue;
        const bound = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as unknown[];
        Reflect.defineMetadata(INTERCEPTORS_METADATA, [...bound, interceptor], handler);
      }
    }
  }
}
