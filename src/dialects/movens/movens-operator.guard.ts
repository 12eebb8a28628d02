import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Caller } from '../../sessions/session.model';
import { requireOperator } from '../../sessions/policy/access-policy';

/**
 * Runs after CallerGuard: only operators and superusers reach MOVENS's admin routes. As a guard it refuses a
 * non-operator before the body is even looked at, so a malformed body from one is still a 403.
 */
@Injectable()
export class MovensOperatorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const caller = context.switchToHttp().getRequest<{ caller?: Caller }>().caller;
    if (!caller) throw new Error('MovensOperatorGuard must run after CallerGuard');
    requireOperator(caller);
    return true;
  }
}
