import { ParsedUserAgent } from './user-agent/uap-types';
import { DeviceInfo, GeoInfo } from '../session.model';

/**
 * Security insight at login and at a validate from a new address: is this a device, a country or a journey the
 * user's history does not explain? Pure: the history comes in, findings go out, each with what a person needs to
 * judge it (what, from where, compared with what).
 */

/** A device as a person names it: its kind, system and browser or app, without versions (an update is not new). */
export function deviceLabel(
  parsed: ParsedUserAgent,
  device: Pick<DeviceInfo, 'brand' | 'model' | 'osName' | 'appName'>,
): string {
  const hardware = [device.brand, device.model].filter(Boolean).join(' ') || parsed.device.family;
  const system = device.osName ?? parsed.os.family;
  const client = device.appName ?? parsed.user_agent.family;
  return `${hardware} · ${system} · ${client}`;
}

/** Where the user was last seen with a position: the point a journey starts from. */
export interface KnownPlace {
  geo: GeoInfo;
  ip: string;
  at: Date;
}

/** What the user's earlier sessions say. */
export interface UserHistory {
  /** Sessions before this one, of any status still kept. */
  sessions: number;
  deviceLabels: string[];
  countries: string[];
  lastPlace: KnownPlace | null;
}

/** Where this login or validate comes from. */
export interface Arrival {
  deviceLabel: string | null;
  geo: GeoInfo | null;
  ip: string;
  at: Date;
}

export interface TravelPolicy {
  /** Faster than this between two positions is impossible (airliners fly about 900 km/h). */
  maxSpeedKmh: number;
  /** Closer than this is never a journey: VPN exits and geo data place one person in neighbouring cities. */
  minDistanceKm: number;
}

export type FindingKind = 'new_device' | 'new_country' | 'impossible_travel';

export interface Finding {
  kind: FindingKind;
  detail: Record<string, unknown>;
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance (haversine), in km. */
export function distanceKm(a: { lat: number; long: number }, b: { lat: number; long: number }): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLong = rad(b.long - a.long);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLong / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

function place(geo: GeoInfo, ip: string, at: Date) {
  return { country: geo.country, city: geo.city || null, lat: geo.lat, long: geo.long, ip, at: at.toISOString() };
}

/** The journey from the last known position to this arrival, if it is one no traveller could make. */
export function impossibleTravel(from: KnownPlace | null, to: Arrival, policy: TravelPolicy): Finding | null {
  if (!from || !to.geo) return null;
  const a = from.geo;
  const b = to.geo;
  if (a.lat === null || a.long === null || b.lat === null || b.long === null) return null;
  const km = distanceKm({ lat: a.lat, long: a.long }, { lat: b.lat, long: b.long });
  if (km < policy.minDistanceKm) return null;
  const hours = Math.max(to.at.getTime() - from.at.getTime(), 0) / 3_600_000;
  const speed = hours === 0 ? Infinity : km / hours;
  if (speed <= policy.maxSpeedKmh) return null;
  return {
    kind: 'impossible_travel',
    detail: {
      from: place(a, from.ip, from.at),
      to: place(b, to.ip, to.at),
      distanceKm: Math.round(km),
      hours: Math.round(hours * 100) / 100,
      speedKmh: Number.isFinite(speed) ? Math.round(speed) : null,
      maxSpeedKmh: policy.maxSpeedKmh,
    },
  };
}

/**
 * What this arrival shows that the history does not. A user's first session has nothing to compare with and
 * finds nothing; a device is judged at login only (`deviceLabel` null at a validate).
 */
export function findings(history: UserHistory, arrival: Arrival, policy: TravelPolicy): Finding[] {
  if (history.sessions === 0) return [];
  const found: Finding[] = [];
  if (arrival.deviceLabel !== null && !history.deviceLabels.includes(arrival.deviceLabel)) {
    found.push({
      kind: 'new_device',
      detail: { device: arrival.deviceLabel, ip: arrival.ip, knownDevices: history.deviceLabels.slice(0, 20) },
    });
  }
  const country = arrival.geo?.country;
  if (country && history.countries.length > 0 && !history.countries.includes(country)) {
    found.push({
      kind: 'new_country',
      detail: {
        country,
        city: arrival.geo?.city || null,
        ip: arrival.ip,
        knownCountries: history.countries.slice(0, 50),
      },
    });
  }
  const travel = impossibleTravel(history.lastPlace, arrival, policy);
  if (travel) found.push(travel);
  return found;
}

/** The journey of an impossible-travel finding in words, for a refusal or a log line. */
export function describeTravel(finding: Finding): string {
  const d = finding.detail as {
    from: { city: string | null; country: string | null };
    to: { city: string | null; country: string | null };
    distanceKm: number;
    hours: number;
    maxSpeedKmh: number;
  };
  const where = (p: { city: string | null; country: string | null }) =>
    [p.city, p.country].filter(Boolean).join(', ') || 'an unknown place';
  return `impossible travel from ${where(d.from)} to ${where(d.to)}, ${d.distanceKm} km in ${d.hours} h (more than ${d.maxSpeedKmh} km/h)`;
}

/** The travel policy from the settings. */
export function travelPolicy(config: { TRAVEL_MAX_SPEED_KMH: number; TRAVEL_MIN_DISTANCE_KM: number }): TravelPolicy {
  return { maxSpeedKmh: config.TRAVEL_MAX_SPEED_KMH, minDistanceKm: config.TRAVEL_MIN_DISTANCE_KM };
}
