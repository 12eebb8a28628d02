import { types } from 'pg';
import { isoSeconds, keepingMicroseconds, microsecondOfSecond } from './timestamp';

const driverParse = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date;
let driverCalls = 0;
const parse = keepingMicroseconds((text) => {
  driverCalls++;
  return driverParse(text);
});

/** What the driver's own parser and the fraction in the text say, for a value with a fraction of `digits` digits. */
function expected(text: string): { ms: number; micros: number } {
  const fraction = /:\d\d\.(\d{1,6})/.exec(text)?.[1];
  return { ms: driverParse(text).getTime(), micros: fraction ? Number(fraction.padEnd(6, '0')) : 0 };
}

describe('keepingMicroseconds', () => {
  it('reads PostgreSQL UTC text as the driver does, keeping every fraction digit', () => {
    const samples: string[] = [];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const at = new Date(Date.UTC(1000, 0, 1) + random() * (Date.UTC(9999, 11, 31) - Date.UTC(1000, 0, 1)));
      const base = at.toISOString().slice(0, 19).replace('T', ' ');
      const digits = i % 7; // 0 (none) to 6
      const fraction = digits === 0 ? '' : '.' + String(Math.floor(random() * 10 ** digits)).padStart(digits, '0');
      samples.push(`${base}${fraction}+00`);
    }
    samples.push('1970-01-01 00:00:00+00', '9999-12-31 23:59:59.999999+00', '2026-02-28 23:59:59.5+00');
    driverCalls = 0;
    for (const text of samples) {
      const parsed = parse(text) as Date;
      expect([text, parsed.getTime(), microsecondOfSecond(parsed)]).toEqual([text, ...Object.values(expected(text))]);
    }
    expect(driverCalls).toBe(0); // read by position, not by the driver
  });

  it('leaves other offsets, eras, early years and infinity to the driver', () => {
    driverCalls = 0;
    for (const text of [
      '2026-04-20 10:47:25.980787+02',
      '2026-04-20 03:17:25.98+05:30',
      '0044-03-15 12:00:00+00',
      '0044-03-15 12:00:00+00 BC',
      '12026-04-20 08:47:25+00',
    ]) {
      const parsed = parse(text) as Date;
      expect([text, parsed.getTime(), microsecondOfSecond(parsed)]).toEqual([text, ...Object.values(expected(text))]);
    }
    expect(parse('infinity')).toBe(driverParse('infinity'));
    expect(parse('-infinity')).toBe(driverParse('-infinity'));
    expect(driverCalls).toBe(7);
  });
});

describe('isoSeconds', () => {
  const plainSeconds = (date: Date) => new Date(date.getTime()).toISOString().replace(/\.\d{3}Z$/, '');

  it("writes what toISOString() writes up to the seconds, from the database's text or from the Date", () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const at = new Date(Date.UTC(1000, 0, 1) + random() * (Date.UTC(9999, 11, 31) - Date.UTC(1000, 0, 1)));
      const fraction = i % 3 === 0 ? '' : `.${String(Math.floor(random() * 1e6)).padStart(6, '0')}`;
      const parsed = parse(`${at.toISOString().slice(0, 19).replace('T', ' ')}${fraction}+00`) as Date;
      expect(isoSeconds(parsed)).toBe(plainSeconds(parsed));
    }
    for (const text of ['2026-04-20 10:47:25.980787+02', '2026-04-20 03:17:25.98+05:30', '12026-04-20 08:47:25+00']) {
      const parsed = parse(text) as Date;
      expect(isoSeconds(parsed)).toBe(plainSeconds(parsed));
    }
    expect(isoSeconds(new Date('2026-04-20T08:47:25.123Z'))).toBe('2026-04-20T08:47:25');
  });
});
