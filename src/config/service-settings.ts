import { Transform } from 'class-transformer';
import { IsOptional, IsString, MinLength, ValidateBy } from 'class-validator';
import {
  commaList,
  emptyToUndefined,
  IntSetting,
  OnOffSetting,
  OptionalFileSetting,
  Setting,
} from './setting-decorators';

/**
 * Where SessionHub listens, which database it keeps and which data files it reads: the settings every process
 * needs first. AppConfig extends this class with the rest; the split only keeps each file readable (class-validator
 * reads inherited decorators, and the settings keep their documented order).
 */
export class ServiceSettings {
  @IntSetting(0, 65535, 'HTTP port to listen on.', '3000')
  PORT = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @ValidateBy({
    name: 'postgresUrl',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^postgres(ql)?:\/\/[^\s]+$/.test(value),
      defaultMessage: () => 'must be a postgres:// or postgresql:// connection URL',
    },
  })
  @Setting(
    'PostgreSQL server to use; unset: the embedded PGlite database in DATA_DIR.',
    'postgres://sessionhub:secret@db.internal:5432/sessionhub',
  )
  DATABASE_URL?: string;

  @Transform(commaList)
  @ValidateBy({
    name: 'replicaUrls',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) && value.every((url) => /^postgres(ql)?:\/\/[^\s,]+$/.test(String(url))),
      defaultMessage: () => 'must be a comma-separated list of postgres:// or postgresql:// connection URLs',
    },
  })
  @ValidateBy({
    name: 'replicasNeedPrimary',
    validator: {
      // Replicas of the embedded database do not exist: reads would go to a server writes never reach.
      validate: (value: unknown, args) =>
        !Array.isArray(value) || value.length === 0 || Boolean((args?.object as ServiceSettings).DATABASE_URL),
      defaultMessage: () => 'needs DATABASE_URL (the primary the replicas stream from)',
    },
  })
  @Setting(
    "Streaming replicas of DATABASE_URL, comma-separated: the faces' reads go to them in turn (docs/scaling.md); empty: every read on the primary.",
    'postgres://sessionhub:secret@replica1.internal:5432/sessionhub,postgres://sessionhub:secret@replica2.internal:5432/sessionhub',
  )
  DATABASE_REPLICA_URLS: string[] = [];

  @IntSetting(
    0,
    3600,
    "With replicas: a caller's reads go to the primary this long after its last write (read-your-writes; 0: never).",
    '5',
  )
  REPLICA_STICKY_SECONDS = 5;

  @IntSetting(
    1,
    3600,
    'With replicas: a replica further behind the primary than this leaves the rotation until it catches up.',
    '3',
  )
  REPLICA_MAX_LAG_SECONDS = 3;

  @IsString()
  @MinLength(1, { message: 'must not be empty' })
  @Setting('Where the embedded database keeps its files (when DATABASE_URL is unset).', './data')
  DATA_DIR = './data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @Setting('An API token key for the superuser admin, stored at start (hashed) if new.', 'a-long-random-secret')
  BOOTSTRAP_TOKEN?: string;

  @OptionalFileSetting(
    'MaxMind GeoLite2/GeoIP2 City database (.mmdb); unset: the built-in DB-IP Lite data (GEOIP_BUILTIN).',
    '/data/GeoLite2-City.mmdb',
  )
  GEOIP_CITY_DB?: string;

  @OnOffSetting(
    'Without GEOIP_CITY_DB: country, city and coordinates from the DB-IP Lite data shipped with the service (31 MB of memory per process; its 103 MB search trees are read from disk); off: no geo data.',
    'off',
  )
  GEOIP_BUILTIN: 'on' | 'off' = 'on';

  @OptionalFileSetting('MaxMind GeoLite2/GeoIP2 ASN database (.mmdb); unset: no ASN data.', '/data/GeoLite2-ASN.mmdb')
  GEOIP_ASN_DB?: string;
}
