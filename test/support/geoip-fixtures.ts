import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { double, MmdbEntry, MmdbValue, uint16, uint32, writeMmdb } from './mmdb-writer';

/**
 * GeoLite2-shaped City and ASN databases over a few public networks, written by our own MaxMind DB writer
 * (no real GeoLite2 file can be fetched or shipped). Record shapes follow GeoLite2: names maps, geoname ids,
 * location doubles, subdivisions arrays, registered_country, is_in_european_union.
 */

interface Place {
  continent: { code: string; geonameId: number; name: string };
  country?: { iso: string; geonameId: number; name: string; eu?: boolean };
  subdivision?: { iso: string; geonameId: number; name: string };
  city?: { geonameId: number; name: string };
  location?: { lat: number; long: number; radius: number; timeZone?: string };
  postal?: string;
}

const names = (en: string): Record<string, MmdbValue> => ({ en, de: en, 'zh-CN': en });

function cityRecord(place: Place): MmdbValue {
  const record: Record<string, MmdbValue> = {};
  if (place.city) record.city = { geoname_id: uint32(place.city.geonameId), names: names(place.city.name) };
  record.continent = {
    code: place.continent.code,
    geoname_id: uint32(place.continent.geonameId),
    names: names(place.continent.name),
  };
  if (place.country) {
    const country: Record<string, MmdbValue> = {
      geoname_id: uint32(place.country.geonameId),
      iso_code: place.country.iso,
      names: names(place.country.name),
    };
    if (place.country.eu) country.is_in_european_union = true;
    record.country = country;
    record.registered_country = country;
  }
  if (place.location) {
    const location: Record<string, MmdbValue> = {
      accuracy_radius: uint16(place.location.radius),
      // GeoLite2 stores coordinates as doubles even when they are whole numbers.
      latitude: double(place.location.lat),
      longitude: double(place.location.long),
    };
    if (place.location.timeZone) location.time_zone = place.location.timeZone;
    record.location = location;
  }
  if (place.postal) record.postal = { code: place.postal };
  if (place.subdivision) {
    record.subdivisions = [
      {
        geoname_id: uint32(place.subdivision.geonameId),
        iso_code: place.subdivision.iso,
        names: names(place.subdivision.name),
      },
    ];
  }
  return record;
}

const EUROPE = { code: 'EU', geonameId: 6255148, name: 'Europe' };
const NORTH_AMERICA = { code: 'NA', geonameId: 6255149, name: 'North America' };

/** What GeoIpLookup should answer for an address in the London network (81.2.69.0/24), as stored on a session. */
export const EXPECTED_LONDON_GEO = {
  continent: 'EU',
  country: 'GB',
  lat: 51.5142,
  long: -0.0931,
  city: 'London',
  region_code: 'ENG',
  timezone: 'Europe/London',
};
export const EXPECTED_LONDON_ASN = { asn: 20712, as_org: 'Andrews & Arnold Ltd', network: '81.2.64.0/19' };

export const CITY_NETWORKS = {
  london: {
    network: '81.2.69.0/24',
    place: {
      continent: EUROPE,
      country: { iso: 'GB', geonameId: 2635167, name: 'United Kingdom' },
      subdivision: { iso: 'ENG', geonameId: 6269131, name: 'England' },
      city: { geonameId: 2643743, name: 'London' },
      location: { lat: 51.5142, long: -0.0931, radius: 10, timeZone: 'Europe/London' },
      postal: 'EC2V',
    },
  },
  linkoping: {
    network: '89.160.20.112/28',
    place: {
      continent: EUROPE,
      country: { iso: 'SE', geonameId: 2661886, name: 'Sweden', eu: true },
      subdivision: { iso: 'E', geonameId: 2685867, name: 'Östergötland County' },
      city: { geonameId: 2694762, name: 'Linköping' },
      location: { lat: 58.4167, long: 15.6167, radius: 76, timeZone: 'Europe/Stockholm' },
    },
  },
  // Country-level only, as GeoLite2 has for many IPv6 ranges: no city name (authentik says city ""), no subdivision.
  germanyNoCity: {
    network: '2a02:ff0::/32',
    place: {
      continent: EUROPE,
      country: { iso: 'DE', geonameId: 2921044, name: 'Germany', eu: true },
      location: { lat: 51, long: 9, radius: 1000, timeZone: 'Europe/Berlin' },
    },
  },
  ashburn: {
    network: '2600:1f18::/33',
    place: {
      continent: NORTH_AMERICA,
      country: { iso: 'US', geonameId: 6252001, name: 'United States' },
      subdivision: { iso: 'VA', geonameId: 6254928, name: 'Virginia' },
      city: { geonameId: 4744870, name: 'Ashburn' },
      location: { lat: 39.0469, long: -77.4903, radius: 1000, timeZone: 'America/New_York' },
    },
  },
  // Continent only: no country, no location; every other field of the geo dict is null.
  continentOnly: {
    network: '194.0.0.0/22',
    place: { continent: EUROPE },
  },
} satisfies Record<string, { network: string; place: Place }>;

export const ASN_NETWORKS = {
  andrews: { network: '81.2.64.0/19', asn: 20712, org: 'Andrews & Arnold Ltd' },
  bredband2: { network: '89.160.0.0/17', asn: 29518, org: 'Bredband2 AB' },
  // A more specific record inside bredband2's /17: lookups elsewhere in the /17 then match a smaller tree leaf.
  bredband2Carved: { network: '89.160.20.128/25', asn: 64512, org: 'Example Carve-out' },
  vodafone: { network: '2a02:ff0::/32', asn: 3209, org: 'Vodafone GmbH' },
  amazon: { network: '2600:1f18::/33', asn: 14618, org: 'AMAZON-AES' },
  // GeoLite2-ASN has records without an organisation.
  noOrg: { network: '194.0.0.0/22', asn: 3333, org: null },
} satisfies Record<string, { network: string; asn: number; org: string | null }>;

export function cityDatabase(): Buffer {
  return writeMmdb(
    Object.values(CITY_NETWORKS).map(({ network, place }) => ({ network, data: cityRecord(place) })),
    {
      databaseType: 'GeoLite2-City',
      languages: ['de', 'en', 'zh-CN'],
      description: { en: 'GeoLite2City database (test fixture)' },
    },
  );
}

export function asnDatabase(): Buffer {
  return writeMmdb(
    Object.values(ASN_NETWORKS).map(({ network, asn, org }): MmdbEntry => {
      const data: Record<string, MmdbValue> = { autonomous_system_number: uint32(asn) };
      if (org !== null) data.autonomous_system_organization = org;
      return { network, data };
    }),
    { databaseType: 'GeoLite2-ASN', description: { en: 'GeoLite2 ASN database (test fixture)' } },
  );
}

export interface GeoIpFixtureFiles {
  dir: string;
  cityPath: string;
  asnPath: string;
  remove(): void;
}

/** Writes both fixture databases into a fresh temporary directory. */
export function writeGeoIpFixtures(): GeoIpFixtureFiles {
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-geoip-'));
  const cityPath = join(dir, 'GeoLite2-City.mmdb');
  const asnPath = join(dir, 'GeoLite2-ASN.mmdb');
  writeFileSync(cityPath, cityDatabase());
  writeFileSync(asnPath, asnDatabase());
  return { dir, cityPath, asnPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
