import { DataSourceOptions } from 'typeorm';
import { Database } from './database';
import { InitialSchema1763800000000 } from './migrations/1763800000000-initial-schema';
import { CountersAndListIndexes1763900000000 } from './migrations/1763900000000-counters-and-list-indexes';
import { ListIndexTuning1764000000000 } from './migrations/1764000000000-list-index-tuning';
import { DropSearchText1764100000000 } from './migrations/1764100000000-drop-search-text';
import { NotifySessionEnded1764200000000 } from './migrations/1764200000000-notify-session-ended';
import { LiveAgentCounts1764300000000 } from './migrations/1764300000000-live-agent-counts';
import { SessionLimits1764400000000 } from './migrations/1764400000000-session-limits';
import { EventHistory1764500000000 } from './migrations/1764500000000-event-history';
import { EventDetail1764600000000 } from './migrations/1764600000000-event-detail';
import { LoginInsight1764700000000 } from './migrations/1764700000000-login-insight';

export const MIGRATIONS = [
  InitialSchema1763800000000,
  CountersAndListIndexes1763900000000,
  ListIndexTuning1764000000000,
  DropSearchText1764100000000,
  NotifySessionEnded1764200000000,
  LiveAgentCounts1764300000000,
  SessionLimits1764400000000,
  EventHistory1764500000000,
  EventDetail1764600000000,
  LoginInsight1764700000000,
];

/**
 * TypeORM's data source over the service's own connections: it runs migrations (at start, and for the TypeORM CLI
 * through ormconfig.ts). The service reads and writes through `Database`, never through entities.
 */
export function dataSourceOptions(database: Database): DataSourceOptions {
  return {
    type: 'postgres',
    driver: database.typeormDriver(),
    poolSize: 1,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  };
}
