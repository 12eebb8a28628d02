import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BootstrapService } from './bootstrap.service';
import { GeoIpLookup } from './geoip';
import { AccountStore } from './persistence/account.store';
import { SessionStore } from './persistence/session.store';
import { APP_CONFIG, GEOIP, SessionsService } from './sessions.service';

@Global()
@Module({
  providers: [
    SessionStore,
    AccountStore,
    SessionsService,
    BootstrapService,
    {
      provide: GEOIP,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => GeoIpLookup.open(config.GEOIP_CITY_DB, config.GEOIP_ASN_DB),
    },
  ],
  exports: [SessionsService],
})
export class SessionsModule {}
