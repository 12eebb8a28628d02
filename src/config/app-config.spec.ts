import { configHelp, defaultPoolSize, loadConfig } from './app-config';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsTable, withSettingsTable } from './readme-settings';

/** A bad setting stops the service with a message an operator can act on. */
describe('configuration', () => {
  const failure = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`no error for ${JSON.stringify(env)}`);
  };

  it('should name the variable, what is wrong with its value and an example of a good one', () => {
    expect(failure({ PORT: 'eighty' })).toContain('PORT="eighty": must be a whole number from 0 to 65535');
    expect(failure({ PORT: 'eighty' })).toContain('(for example PORT=3000)');
    expect(failure({ DATABASE_URL: 'mysql://db/x' })).toMatch(
      /DATABASE_URL="mysql:\/\/db\/x": must be a postgres:\/\/ or postgresql:\/\/ connection URL \(for example DATABASE_URL=postgres:\/\//,
    );
    expect(failure({ GEOIP_CITY_DB: '/nonexistent/city.mmdb' })).toContain(
      'GEOIP_CITY_DB="/nonexistent/city.mmdb": is not a readable file (for example GEOIP_CITY_DB=',
    );
    expect(failure({ RATE_LIMIT_TRUSTED_CIDRS: '10.0.0.0/40' })).toContain(
      'RATE_LIMIT_TRUSTED_CIDRS="10.0.0.0/40": must be a comma-separated list of addresses or CIDR ranges',
    );
    expect(failure({ LOG_LEVEL: 'loud' })).toContain('LOG_LEVEL="loud": must be one of fatal, error, warn');
  });

  it('should size the pool to the machine unless told: twice the cores plus one, at most 10', () => {
    expect([1, 2, 4, 5, 64].map((cores) => defaultPoolSize(cores))).toEqual([3, 5, 9, 10, 10]);
    expect(loadConfig({}).DATABASE_POOL_SIZE).toBe(defaultPoolSize(availableParallelism()));
    expect(loadConfig({ DATABASE_POOL_SIZE: '20' }).DATABASE_POOL_SIZE).toBe(20);
  });

  it('should take replicas only as PostgreSQL URLs, and only beside DATABASE_URL', () => {
    const primary = 'postgres://app@db:5432/sessionhub';
    expect(failure({ DATABASE_REPLICA_URLS: 'postgres://r1/sessionhub' })).toContain(
      'DATABASE_REPLICA_URLS="postgres://r1/sessionhub": needs DATABASE_URL',
    );
    expect(failure({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'postgres://r1/s, mysql://r2/s' })).toContain(
      'must be a comma-separated list of postgres:// or postgresql:// connection URLs',
    );
    const config = loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: ' postgres://r1/s ,postgresql://r2/s,' });
    expect(config.DATABASE_REPLICA_URLS).toEqual(['postgres://r1/s', 'postgresql://r2/s']);
    expect(loadConfig({}).DATABASE_REPLICA_URLS).toEqual([]);
    expect(loadConfig({ DATABASE_REPLICA_URLS: '' }).DATABASE_REPLICA_URLS).toEqual([]);
  });

  it('should list every bad setting at once', () => {
    const message = failure({ PORT: '-1', WORKERS: '0', REDIS_URL: 'localhost:6379' });
    expect(message.split('\n').filter((line) => line.startsWith('  '))).toHaveLength(3);
  });

  it('should accept the defaults and valid values', () => {
    expect(loadConfig({}).PORT).toBe(3000);
    expect(loadConfig({ RATE_LIMIT_TRUSTED_CIDRS: '10.0.0.0/8, 192.168.1.5,::1' }).RATE_LIMIT_TRUSTED_CIDRS).toEqual([
      '10.0.0.0/8',
      '192.168.1.5',
      '::1',
    ]);
  });

  it('should list every variable with its default in --help', () => {
    const help = configHelp();
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'DATA_DIR',
      'REDIS_URL',
      'STATEMENT_TIMEOUT_MS',
      'LOG_FORMAT',
      'METRICS',
    ]) {
      expect(help).toMatch(new RegExp(`^  ${name} +`, 'm'));
    }
    expect(help).toMatch(/^ {2}PORT +3000$/m);
  });
});

describe("the README's table of settings", () => {
  it('should list every setting as the code declares it (npm run settings writes it)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withSettingsTable(readme, settingsTable())).toBe(readme);
    expect(settingsTable().split('\n')).toHaveLength(2 + (configHelp().match(/^ {2}[A-Z]/gm) ?? []).length);
  });
});
