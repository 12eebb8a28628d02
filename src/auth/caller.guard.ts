import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
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
  /** Set when a route lets a request without credentials through to its later checks. */
  anonymous?: boolean;
}

/** How a face reads credentials where its vendor differs from the default (RFC 6750, no credentials refused). */
export interface AuthenticationConvention {
  /**
   * No credentials is not refused here: the face's later checks decide, in its vendor's order (DRF checks the
   * permission, then the method, so an anonymous PUT on an authentik session is 405).
   */
  anonymousPassesOn?: boolean;
  /** The key is everything after the first space, as authentik reads it (`Bearer  k` is the key ` k`). */
  keyAfterFirstSpace?: boolean;
}

/** Sets a controller's AuthenticationConvention. */
export const Authentication = Reflector.createDecorator<AuthenticationConvention>();

/**
 * Authenticates the bearer key and attaches the caller; failures are domain errors each face renders its way.
 * Refused keys count against the client's address and the key's prefix; past the limit the answer is 429.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly limits: RateLimits,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const header = request.headers.authorization;
    const convention =
      this.reflector.getAllAndOverride(Authentication, [context.getHandler(), context.getClass()]) ?? {};
    const parsed = bearerKey(Array.isArray(header) ? header[0] : header, convention.keyAfterFirstSpace);
    const facts = logFacts(request as unknown as FastifyRequest);
    if (parsed === 'absent' && convention.anonymousPassesOn) {
      request.anonymous = true;
      return true;
    }
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
  const request = context.switchToHttp().getRequest<RequestWithCaller>();
  if (request.caller) return request.caller;
  if (request.anonymous)
    throw new DomainError(DomainErrorCode.NotAuthenticated, 'Authentication credentials were not provided.');
  throw new Error('CurrentCaller used on a route without CallerGuard');
});
