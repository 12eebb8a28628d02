import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG, DATABASE } from '../config/tokens';
import { Database } from './database';
import { dataSourceOptions } from './data-source-options';
import { openDatabase } from './open-database';

/** Closes the database after everything that uses it has stopped. */
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/** The database, offered to every module as `DATABASE`. `dataDir` null: an in-memory PGlite (tests). */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(dataDir?: string | null): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DATABASE,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => openDatabase(config, dataDir, true),
        },
        DatabaseCloser,
      ],
      exports: [DATABASE],
    };
  }

  /** TypeORM's data source over the same connections; it applies pending migrations at start. */
  static migrations(): DynamicModule {
    return TypeOrmModule.forRootAsync({
      inject: [DATABASE],
      useFactory: (database: Database) => ({
        ...dataSourceOptions(database),
        migrationsRun: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    });
  }
}
