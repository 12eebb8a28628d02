import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { bearerKey } from '../../auth/bearer';
import { RateLimits } from '../../ops/rate-limits';
import { BadCredentialsError, DomainError, DomainErrorCode, isBadCredentials } from '../../sessions/domain-error';
import { AuthenticatedReceiver, ReceiversService, requireScope } from '../receivers/receivers.service';
import { Scope } from '../ssf-events';

interface RequestWithReceiver {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  receiver?: AuthenticatedReceiver;
}

/** The scope a route needs (ssf.manage also grants ssf.read). */
export const NeedsScope = Reflector.createDecorator<Scope>();

/**
 * A receiver's bearer token (from the token endpoint; in the Authorization header only, RFC 6750 §2.1) and the
 * route's scope. Refused tokens count against the client's address, as the other faces' keys do.
 */
@Injectable()
export class ReceiverGuard implements CanActivate {
  constructor(
    private readonly receivers: ReceiversService,
    private readonly limits: RateLimits,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithReceiver>();
    const header = request.headers.authorization;
    const parsed = bearerKey(Array.isArray(header) ? header[0] : header);
    if (parsed === 'absent')
      throw new DomainError(DomainErrorCode.NotAuthenticated, 'A bearer access token is needed.');
    if (parsed === 'malformed') throw new BadCredentialsError('malformed', 'Malformed Authorization header.');
    await this.limits.beforeAuthentication(request.ip, parsed.key);
    try {
      request.receiver = await this.receivers.authenticate(parsed.key);
    } catch (error) {
      if (isBadCredentials(error)) await this.limits.authenticationFailed(request.ip, parsed.key);
      throw error;
    }
    const scope = this.reflector.getAllAndOverride(NeedsScope, [context.getHandler(), context.getClass()]);
    if (scope) requireScope(request.receiver, scope);
    return true;
  }
}

export const CurrentReceiver = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedReceiver => {
  const receiver = context.switchToHttp().getRequest<RequestWithReceiver>().receiver;
  if (!receiver) throw new Error('CurrentReceiver used on a route without ReceiverGuard');
  return receiver;
});
