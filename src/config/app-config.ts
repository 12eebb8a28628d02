import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Every setting SessionHub reads from its environment; each has a default that works on a laptop. */
export class AppConfig {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  BOOTSTRAP_TOKEN?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  GEOIP_CITY_DB?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  GEOIP_ASN_DB?: string;

  /** Absolute lifetime of a session made by the hub's login call, unless the call asks for another. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(366 * 24 * 3600)
  SESSION_TTL_SECONDS = 14 * 24 * 3600;

  /** A validate call writes last-seen only when the stored value is older than this. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  TOUCH_INTERVAL_SECONDS = 60;

  /** Ended, revoked and expired sessions are purged this many days after they stopped being live. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  RETENTION_DAYS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKERS = 1;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';
}

/** Reads and validates the environment; throws one readable error listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig()).concat([
    'DATABASE_URL',
    'BOOTSTRAP_TOKEN',
    'GEOIP_CITY_DB',
    'GEOIP_ASN_DB',
  ]);
  const picked: Record<string, unknown> = {};
  for (const key of known) if (env[key] !== undefined) picked[key] = env[key];
  const config = plainToInstance(AppConfig, picked, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `  ${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}
