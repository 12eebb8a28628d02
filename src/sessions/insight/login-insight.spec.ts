import { GeoInfo } from '../session.model';
import { distanceKm, findings, impossibleTravel, UserHistory } from './login-insight';

const geo = (country: string, city: string, lat: number, long: number): GeoInfo => ({
  continent: null,
  country,
  city,
  lat,
  long,
  region_code: null,
  timezone: null,
});
const LONDON = geo('GB', 'London', 51.5072, -0.1276);
const PARIS = geo('FR', 'Paris', 48.8566, 2.3522);
const SYDNEY = geo('AU', 'Sydney', -33.8688, 151.2093);
const POLICY = { maxSpeedKmh: 1000, minDistanceKm: 500 };
const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 12, minutes));

describe('login insight', () => {
  it('measures great-circle distances', () => {
    expect(Math.round(distanceKm({ lat: 51.5072, long: -0.1276 }, { lat: 48.8566, long: 2.3522 }))).toBe(344);
    expect(Math.round(distanceKm({ lat: 51.5072, long: -0.1276 }, { lat: -33.8688, long: 151.2093 }) / 100)).toBe(170);
    expect(distanceKm({ lat: 10, long: 20 }, { lat: 10, long: 20 })).toBe(0);
  });

  it('finds impossible travel only past both the speed and the distance', () => {
    const from = { geo: LONDON, ip: '81.2.69.160', at: at(0) };
    // Paris a minute later: 20,000 km/h, but a neighbouring city (VPN exits, geo data): not a journey.
    expect(impossibleTravel(from, { deviceLabel: null, geo: PARIS, ip: 'p', at: at(1) }, POLICY)).toBeNull();
    // Sydney an hour later: impossible.
    const found = impossibleTravel(from, { deviceLabel: null, geo: SYDNEY, ip: 's', at: at(60) }, POLICY);
    expect(found?.detail).toMatchObject({ distanceKm: 16994, hours: 1, speedKmh: 16994, maxSpeedKmh: 1000 });
    // Sydney a day later: a flight.
    const dayLater = new Date(at(0).getTime() + 24 * 3_600_000);
    expect(impossibleTravel(from, { deviceLabel: null, geo: SYDNEY, ip: 's', at: dayLater }, POLICY)).toBeNull();
    // No coordinates on either side: nothing to measure.
    const noCoordinates = { ...SYDNEY, lat: null, long: null };
    expect(impossibleTravel(from, { deviceLabel: null, geo: noCoordinates, ip: 's', at: at(1) }, POLICY)).toBeNull();
  });

  it('finds nothing for a first session, and new devices and countries against the history', () => {
    const empty: UserHistory = { sessions: 0, deviceLabels: [], countries: [], lastPlace: null };
    const arrival = { deviceLabel: 'Mac · Mac OS X · Safari', geo: SYDNEY, ip: '1.1.1.1', at: at(0) };
    expect(findings(empty, arrival, POLICY)).toEqual([]);
    const history: UserHistory = {
      sessions: 3,
      deviceLabels: ['Other · Windows · Chrome'],
      countries: ['GB'],
      lastPlace: null,
    };
    expect(findings(history, arrival, POLICY).map((f) => f.kind)).toEqual(['new_device', 'new_country']);
    // No country known before (no geo data then): a country is not "new".
    expect(findings({ ...history, countries: [] }, arrival, POLICY).map((f) => f.kind)).toEqual(['new_device']);
  });
});
