import { ArgumentMetadata, PipeTransform, UnsupportedMediaTypeException } from '@nestjs/common';
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

/** A request's media type as DRF names it in its 415: the Content-Type without parameters, '' without one. */
export function mediaTypeOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const header = request.headers['content-type'];
  return (typeof header === 'string' ? header : '').split(';')[0].trim();
}
