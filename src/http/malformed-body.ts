import { ArgumentMetadata, PipeTransform, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '../sessions/domain-error';

/** What the JSON content-type parser hands on when a body does not parse. */
export class MalformedJson {
  constructor(readonly reason: string) {}
}

/**
 * What a route receives for a body it does not parse: any content type but JSON, and a form outside the routes
 * that read forms. The body is never read, so a route that takes none (authentik's DELETE) answers as without one.
 */
export class UnreadBody {
  constructor(readonly mediaType: string) {}
}

/**
 * Turns an unparseable JSON body, or a body that is not JSON, into an error when a route reads its body, so the
 * route's face renders it in its own words. A global pipe runs after the guards (authentication errors come first)
 * and only on @Body() arguments: routes that never read a body ignore it, as authentik's DELETE does, and the check
 * costs nothing on hot GET paths (an interceptor on every route cost a third of a token validation's CPU).
 */
export class MalformedBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body') return value;
    if (value instanceof MalformedJson) {
      throw new DomainError(DomainErrorCode.InvalidValue, `Malformed JSON body: ${value.reason}`, 'body');
    }
    // DRF's words for it (UnsupportedMediaType); each face keeps 415 or answers its own bad-request.
    if (value instanceof UnreadBody) {
      throw new UnsupportedMediaTypeException(`Unsupported media type "${value.mediaType}" in request.`);
    }
    return value;
  }
}

/** Where readMalformedContentTypesAsUnread keeps a Content-Type it set aside. */
const MALFORMED_CONTENT_TYPE = Symbol('malformed Content-Type');
type MaybeMalformed = FastifyRequest & { [MALFORMED_CONTENT_TYPE]?: string };

/** A request's media type as DRF names it in its 415: the Content-Type without parameters, '' without one. */
export function mediaTypeOf(request: FastifyRequest): string {
  const header = (request as MaybeMalformed)[MALFORMED_CONTENT_TYPE] ?? request.headers['content-type'];
  return (typeof header === 'string' ? header : '').split(';')[0].trim();
}

/**
 * Fastify answers a Content-Type it cannot parse (`foo`, empty) with its own 415 before routing, credentials and
 * the method check, so a DELETE that never reads its body, or a method the path does not have, got 415. Such a
 * header is set aside here, where the request starts, and its body reaches the route unread like a body of any
 * other type: routes that read one refuse it in their face's words, after authentication; the rest ignore it.
 */
export function readMalformedContentTypesAsUnread(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers['content-type'];
    // Fastify's own parse, kept on the request for its body step: undefined when the header does not parse. The
    // header is removed, not replaced: the parse just kept would still refuse a replacement. Without it, Fastify
    // hands a body to the catch-all parser and a request without one to the route as it is.
    if (header !== undefined && request.mediaType === undefined) {
      (request as MaybeMalformed)[MALFORMED_CONTENT_TYPE] = header;
      delete request.headers['content-type'];
    }
    done();
  });
}
