import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AccountsService } from '../../src/sessions/accounts/accounts.service';
import { CredentialsService } from '../../src/sessions/credentials/credentials.service';
import { HousekeepingService } from '../../src/sessions/housekeeping/housekeeping.service';
import { SessionsService } from '../../src/sessions/lifecycle/sessions.service';
import { Caller } from '../../src/sessions/session.model';

/** The domain's services of a running test app, for tests that call them without HTTP in between. */
export function domainOf(app: NestFastifyApplication) {
  return {
    accounts: app.get(AccountsService),
    credentials: app.get(CredentialsService),
    sessions: app.get(SessionsService),
    housekeeping: app.get(HousekeepingService),
  };
}

/** A caller who is a plain user unless `extra` says otherwise. */
export function callerFor(user: { id: number; username: string }, extra: Partial<Caller> = {}): Caller {
  return {
    userId: user.id,
    username: user.username,
    isSuperuser: false,
    isOperator: false,
    sessionId: null,
    tokenKind: 'api_token',
    ...extra,
  };
}
