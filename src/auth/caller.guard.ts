import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { RateLimits } from '../ops/rate-limits';
import { CredentialsService } from '../sessions/credentials/credentials.service';
import { FastifyRequest } from 'fastify';
import { logFacts } from '../ops/logging';
import {
  BadCredentialsError,
  DomainError,
  DomainErrorCode,
  isBadCredentials,
  refusalReason,
} from '../sessions/domain-error';
import { Caller } from '../sessions/session.model';
import { bearerKey } from './bearer';

interface RequestWithCaller {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  caller?: Caller;
}

/**
 * Authenticates the bearer key and attaches the caller; failures are domain errors each face renders its way.
 * Refused keys count against the client's address and the key's prefix; past the limit the answer is 429.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const header = request.headers.authorization;
    const parsed = bearerKey(Array.isArray(header) ? header[0] : header);
    const facts = logFacts(request as unknown as FastifyRequest);
    if (parsed === 'absent') {
      facts.authFailure = 'no_credentials';
      throw new DomainError(DomainErrorCode.NotAuthenticated, 'Authentication credentials were not provided.');
    }
    if (parsed === 'malformed') {
      facts.authFailure = 'malformed';
      throw new BadCredentialsError('malformed', 'Malformed header');
    }
    await this.limits.beforeAuthentication(request.ip, parsed.key);
    try {
      request.caller = await this.credentials.authenticate(parsed.key);
      facts.userId = request.caller.userId;
    } catch (error) {
      facts.authFailure = refusalReason(error);
      if (isBadCredentials(error)) await this.limits.authenticationFailed(request.ip, parsed.key);
      throw error;
    }
    return true;
  }
}

export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without CallerGuard');
  return caller;
});
