import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { dataSourceOptions } from './database/data-source-options';
import { FACE_MODULES } from './faces.module-list';
import { HealthModule } from './health/health.controller';
import { SessionsModule } from './sessions/sessions.module';
import { APP_CONFIG } from './sessions/sessions.service';

export interface AppModuleOptions {
  config: AppConfig;
  /** Tests: null for an in-memory PGlite; otherwise DATA_DIR applies. */
  dataDir?: string | null;
}

@Global()
@Module({})
class ConfigModule {
  static of(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}

@Module({})
export class AppModule {
  static forRoot({ config, dataDir }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.of(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config, dataDir),
          migrationsRun: true,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        SessionsModule,
        AuthModule,
        HealthModule,
        ...FACE_MODULES,
      ],
    };
  }
}
