import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG, GEOIP } from '../config/tokens';
import { AccountsService } from './accounts/accounts.service';
import { BootstrapService } from './accounts/bootstrap.service';
import { DefaultScopes } from './accounts/default-scopes';
import { CredentialsService } from './credentials/credentials.service';
import { AccountCache } from './credentials/account-cache';
import { LiveSessionCache } from './credentials/live-session-cache';
import { HousekeepingService } from './housekeeping/housekeeping.service';
import { GeoIpLookup } from './insight/geoip';
import { SessionsService } from './lifecycle/sessions.service';
import { AccountStore } from './persistence/account.store';
import { EventStore } from './persistence/event.store';
import { HousekeepingStore } from './persistence/housekeeping.store';
import { ReadRouting } from './persistence/read-routing';
import { SessionStore } from './persistence/session.store';

/** The domain: the only code that knows what users, tokens and sessions are and who may touch them. */
@Global()
@Module({
  providers: [
    SessionStore,
    EventStore,
    HousekeepingStore,
    AccountStore,
    ReadRouting,
    DefaultScopes,
    AccountsService,
    CredentialsService,
    LiveSessionCache,
    AccountCache,
    SessionsService,
    HousekeepingService,
    BootstrapService,
    {
      provide: GEOIP,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        GeoIpLookup.open(config.GEOIP_CITY_DB, config.GEOIP_ASN_DB, config.GEOIP_BUILTIN === 'on'),
    },
  ],
  exports: [AccountsService, CredentialsService, SessionsService, HousekeepingService],
})
export class SessionsModule {}
