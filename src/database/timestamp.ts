/**
 * `timestamptz` as PostgreSQL keeps it, to the microsecond. A JavaScript `Date` holds milliseconds, so a value read
 * through a `Date` alone would print `…09.980000Z` where the row says `…09.980787`; authentik prints all six digits.
 * Both drivers hand over the column's text, and this parser keeps the full fraction beside the `Date`.
 */
export class PreciseDate extends Date {
  constructor(
    milliseconds: number,
    /** The fraction of the second in microseconds (0–999,999), of which the `Date` keeps only the milliseconds. */
    readonly microsecondOfSecond: number,
  ) {
    super(milliseconds);
  }
}

/** The fraction of a second in PostgreSQL's text form (`2026-04-20 08:47:25.980787+00`), up to six digits. */
const FRACTION = /:\d\d\.(\d{1,6})/;

/**
 * Wraps a driver's own `timestamptz` parser (which reads every form PostgreSQL prints: offsets, BC, infinity) and
 * keeps the microseconds of finite values.
 */
export function keepingMicroseconds(parse: (text: string) => unknown): (text: string) => unknown {
  return (text) => {
    const parsed = parse(text);
    if (!(parsed instanceof Date) || Number.isNaN(parsed.getTime())) return parsed;
    const fraction = FRACTION.exec(text)?.[1];
    const micros = fraction ? Number(fraction.padEnd(6, '0')) : 0;
    return new PreciseDate(parsed.getTime(), micros);
  };
}

/** The microseconds within the second: the database's where it gave them, else the `Date`'s milliseconds. */
export function microsecondOfSecond(date: Date): number {
  return date instanceof PreciseDate ? date.microsecondOfSecond : date.getUTCMilliseconds() * 1000;
}
