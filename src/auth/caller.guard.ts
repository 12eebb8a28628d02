import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '../sessions/domain-error';
import { CredentialsService } from '../sessions/credentials/credentials.service';
import { Caller } from '../sessions/session.model';
import { bearerKey } from './bearer';

interface RequestWithCaller {
  headers: Record<string, string | string[] | undefined>;
  caller?: Caller;
}

/** Authenticates the bearer key and attaches the caller; failures are domain errors each face renders its way. */
@Injectable()
export class CallerGuard implements CanActivate {
  constructor(private readonly credentials: CredentialsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const header = request.headers.authorization;
    const parsed = bearerKey(Array.isArray(header) ? header[0] : header);
    if (parsed === 'absent') {
      throw new DomainError(DomainErrorCode.NotAuthenticated, 'Authentication credentials were not provided.');
    }
    if (parsed === 'malformed') throw new DomainError(DomainErrorCode.BadCredentials, 'Malformed header');
    request.caller = await this.credentials.authenticate(parsed.key);
    return true;
  }
}

export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without CallerGuard');
  return caller;
});
