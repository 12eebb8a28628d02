import { isIP } from 'node:net';
import { AsnResponse, CityResponse } from 'mmdb-lib';
import { AsnInfo, GeoInfo } from '../session.model';
import { BuiltinCity, openBuiltinCity } from './builtin-geo';
import { MmdbOnDisk } from './mmdb-on-disk';

/** The CIDR of the record that matched `ip`, as authentik reports `asn.network`. */
export function networkOf(ip: string, prefixLength: number): string {
  if (isIP(ip) === 4) {
    const value = ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    const masked = prefixLength === 0 ? 0n : (value >> BigInt(32 - prefixLength)) << BigInt(32 - prefixLength);
    const parts = [24n, 16n, 8n, 0n].map((shift) => String((masked >> shift) & 255n));
    return `${parts.join('.')}/${prefixLength}`;
  }
  const groups = expandIpv6(ip);
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  const masked = prefixLength === 0 ? 0n : (value >> BigInt(128 - prefixLength)) << BigInt(128 - prefixLength);
  // Python 3.13+ (authentik's runtime) prints IPv4-mapped addresses with a dotted tail: ::ffff:81.2.69.0/120.
  if (masked >> 32n === 0xffffn) {
    const v4 = [24n, 16n, 8n, 0n].map((shift) => String((masked >> shift) & 255n));
    return `::ffff:${v4.join('.')}/${prefixLength}`;
  }
  const out: number[] = [];
  for (let i = 7; i >= 0; i--) out.push(Number((masked >> BigInt(i * 16)) & 0xffffn));
  return `${compressIpv6(out)}/${prefixLength}`;
}

function expandIpv6(ip: string): number[] {
  let text = ip;
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill: string[] = tail !== undefined ? new Array<string>(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * An IPv4-only database cannot answer for IPv6 addresses (geoip2 raises ValueError, so authentik shows null);
 * the tree walk (MmdbOnDisk's, as mmdb-lib's) would instead follow the address's first 32 bits to an unrelated IPv4
 * record.
 */
function canLookUp(reader: MmdbOnDisk<AsnResponse> | MmdbOnDisk<CityResponse>, ip: string): boolean {
  return reader.metadata.ipVersion === 6 || isIP(ip) === 4;
}

/**
 * MaxMind City and ASN lookups; either database may be absent, and then that half is always null, except that
 * without a City file the built-in DB-IP data (builtin-geo.ts), when asked for, answers the geo half.
 */
export class GeoIpLookup {
  private constructor(
    private readonly city: MmdbOnDisk<CityResponse> | null,
    private readonly asnDb: MmdbOnDisk<AsnResponse> | null,
    private readonly builtinCity: BuiltinCity | null = null,
  ) {}

  /** Files are read as MmdbOnDisk does: their search trees stay on disk. */
  static open(cityPath?: string, asnPath?: string, builtin = false): GeoIpLookup {
    const city = cityPath ? MmdbOnDisk.open<CityResponse>(cityPath) : null;
    const asn = asnPath ? MmdbOnDisk.open<AsnResponse>(asnPath) : null;
    return new GeoIpLookup(city, asn, !city && builtin ? openBuiltinCity() : null);
  }

  static none(): GeoIpLookup {
    return new GeoIpLookup(null, null);
  }

  lookup(ip: string): { geo: GeoInfo | null; asn: AsnInfo | null } {
    if (!isIP(ip)) return { geo: null, asn: null };
    return { geo: this.lookupCity(ip), asn: this.lookupAsn(ip) };
  }

  private lookupCity(ip: string): GeoInfo | null {
    if (!this.city) return this.builtinCity?.lookup(ip) ?? null;
    if (!canLookUp(this.city, ip)) return null;
    const record = this.city.get(ip);
    if (!record) return null;
    return {
      continent: record.continent?.code ?? null,
      country: record.country?.iso_code ?? null,
      lat: record.location?.latitude ?? null,
      long: record.location?.longitude ?? null,
      city: record.city?.names?.en ?? '',
      region_code: record.subdivisions?.[0]?.iso_code ?? null,
      timezone: record.location?.time_zone ?? null,
    };
  }

  private lookupAsn(ip: string): AsnInfo | null {
    if (!this.asnDb || !canLookUp(this.asnDb, ip)) return null;
    const [record, prefixLength] = this.asnDb.getWithPrefixLength(ip);
    if (!record) return null;
    return {
      asn: record.autonomous_system_number ?? null,
      as_org: record.autonomous_system_organization ?? null,
      network: networkOf(ip, prefixLength),
    };
  }
}
