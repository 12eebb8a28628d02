import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { FACES } from './faces';
import { HealthModule } from './health/health.controller';
import { OpsModule } from './ops/ops.module';
import { SessionsModule } from './sessions/sessions.module';

export interface AppModuleOptions {
  config: AppConfig;
  /** Tests: null for an in-memory PGlite; otherwise DATA_DIR applies. */
  dataDir?: string | null;
}

@Module({})
export class AppModule {
  static forRoot({ config, dataDir }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.of(config),
        DatabaseModule.forRoot(dataDir),
        DatabaseModule.migrations(),
        SessionsModule,
        OpsModule,
        AuthModule,
        HealthModule,
        ...FACES.map((face) => face.module),
      ],
    };
  }
}
