import { randomBytes } from 'node:crypto';

/** The seed's building blocks: people's names, a fast random source, weighted picks and public addresses. */

export const FIRST_NAMES = [
  'anna',
  'ben',
  'carla',
  'david',
  'elena',
  'felix',
  'greta',
  'hugo',
  'ines',
  'jonas',
  'katja',
  'lukas',
  'maria',
  'noah',
  'olivia',
  'paul',
  'quentin',
  'rosa',
  'samuel',
  'tara',
  'ulrich',
  'vera',
  'william',
  'xenia',
  'yusuf',
  'zoe',
  'amir',
  'bianca',
  'chen',
  'dmitri',
  'emma',
  'fatima',
  'giulia',
  'hannah',
  'ivan',
  'julia',
  'kenji',
  'laura',
  'mateo',
  'nina',
  'omar',
  'priya',
  'rafael',
  'sofia',
  'tomas',
  'uma',
  'victor',
  'wei',
  'yara',
  'zeynep',
];

export const LAST_NAMES = [
  'schmidt',
  'muller',
  'rossi',
  'garcia',
  'nguyen',
  'kowalski',
  'silva',
  'smith',
  'jones',
  'brown',
  'novak',
  'petrov',
  'dubois',
  'martin',
  'bianchi',
  'fischer',
  'weber',
  'meyer',
  'wagner',
  'becker',
  'hoffmann',
  'koch',
  'lopez',
  'sato',
  'tanaka',
  'kim',
  'park',
  'singh',
  'patel',
  'khan',
  'ali',
  'haddad',
  'cohen',
  'levi',
  'andersen',
  'nielsen',
  'larsen',
  'jensen',
  'virtanen',
  'korhonen',
  'horvath',
  'nagy',
  'popescu',
  'ionescu',
  'yilmaz',
  'demir',
  'oliveira',
  'santos',
  'costa',
  'murphy',
];

export const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'corp.example.org'];

/**
 * A fast random source: crypto bytes drawn in large blocks. Seeding needs millions of draws; one
 * randomBytes call per draw would dominate the run.
 */
export class RandomSource {
  private buffer = Buffer.alloc(0);
  private offset = 0;

  private take(n: number): number {
    if (this.offset + n > this.buffer.length) {
      this.buffer = randomBytes(1 << 20);
      this.offset = 0;
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  /** A float in [0, 1). */
  next(): number {
    const at = this.take(4);
    return this.buffer.readUInt32LE(at) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Buffer {
    const at = this.take(n);
    return this.buffer.subarray(at, at + n);
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** Picks indexes by weight: cumulative sums and a binary search. */
export class WeightedPicker {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => (this.cumulative[i] = sum += w));
    this.total = sum;
  }

  pick(random: RandomSource): number {
    const target = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * A public IPv4 address: never in 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24,
 * 192.88.99/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24 or 224/3 (multicast, reserved, broadcast).
 */
export function publicIpv4(random: RandomSource): string {
  for (;;) {
    const a = 1 + random.int(223);
    const b = random.int(256);
    const c = random.int(256);
    const d = 1 + random.int(254);
    if (a === 10 || a === 127) continue;
    if (a === 100 && b >= 64 && b <= 127) continue;
    if (a === 169 && b === 254) continue;
    if (a === 172 && b >= 16 && b <= 31) continue;
    if (a === 192 && (b === 168 || (b === 0 && (c === 0 || c === 2)) || (b === 88 && c === 99))) continue;
    if (a === 198 && (b === 18 || b === 19 || (b === 51 && c === 100))) continue;
    if (a === 203 && b === 0 && c === 113) continue;
    return `${a}.${b}.${c}.${d}`;
  }
}

/** Prefixes of the regional registries' global unicast blocks (outside 2001::/23, 2001:db8::/32 and 2002::/16). */
const IPV6_PREFIXES = [
  '2a00',
  '2a01',
  '2a02',
  '2a03',
  '2a05',
  '2a0d',
  '2400',
  '2401',
  '2403',
  '2404',
  '2600',
  '2601',
  '2602',
  '2603',
  '2604',
  '2605',
  '2606',
  '2607',
  '2800',
  '2803',
  '2c0f',
];

/** A public IPv6 address in a registry-allocated global unicast block. */
export function publicIpv6(random: RandomSource): string {
  const groups = [random.pick(IPV6_PREFIXES)];
  for (let i = 0; i < 7; i++) groups.push(random.int(0x10000).toString(16));
  return groups.join(':');
}
