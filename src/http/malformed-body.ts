import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '../sessions/domain-error';

/** What the JSON content-type parser hands on when a body does not parse. */
export class MalformedJson {
  constructor(readonly reason: string) {}
}

/**
 * Turns an unparseable JSON body into a domain error when a route reads its body, so the route's face renders it as
 * its own bad-request answer. A global pipe runs after the guards (authentication errors come first) and only on
 * @Body() arguments: routes that never read a body ignore it, as authentik's DELETE does, and the check costs
 * nothing on hot GET paths (an interceptor on every route cost a third of a token validation's CPU).
 */
export class MalformedBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && value instanceof MalformedJson) {
      throw new DomainError(DomainErrorCode.InvalidValue, `Malformed JSON body: ${value.reason}`, 'body');
    }
    return value;
  }
}
