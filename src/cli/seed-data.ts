import { randomBytes } from 'node:crypto';

/** What kind of client a user agent belongs to; decides the session type and device metadata. */
export type AgentKind = 'browser' | 'mobile-browser' | 'app' | 'bot' | 'cli';

export interface SeedAgent {
  ua: string;
  /** Relative frequency among sessions. */
  weight: number;
  kind: AgentKind;
  /** Device facts a mobile app reports at login (MOVENS mobile-logon's SmBrand, SmModel, OsName, ...). */
  device?: { brand: string; model: string; osName: string; osVersion: string; appName: string; appVersion: string };
}

/** Real user agents seen in the wild (browsers, phones, tablets, mobile apps, crawlers and HTTP libraries). */
export const SEED_AGENTS: SeedAgent[] = [
  // Desktop browsers
  {
    kind: 'browser',
    weight: 60,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  },
  {
    kind: 'browser',
    weight: 35,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  },
  {
    kind: 'browser',
    weight: 20,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  },
  {
    kind: 'browser',
    weight: 25,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  },
  {
    kind: 'browser',
    weight: 10,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0',
  },
  {
    kind: 'browser',
    weight: 18,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  },
  {
    kind: 'browser',
    weight: 6,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0',
  },
  {
    kind: 'browser',
    weight: 5,
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/116.0.0.0',
  },
  {
    kind: 'browser',
    weight: 2,
    ua: 'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36',
  },
  { kind: 'browser', weight: 1, ua: 'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko' },
  {
    kind: 'browser',
    weight: 30,
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  },
  {
    kind: 'browser',
    weight: 22,
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  },
  {
    kind: 'browser',
    weight: 10,
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
  },
  {
    kind: 'browser',
    weight: 8,
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0',
  },
  {
    kind: 'browser',
    weight: 5,
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  },
  {
    kind: 'browser',
    weight: 8,
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  },
  { kind: 'browser', weight: 6, ua: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' },
  { kind: 'browser', weight: 3, ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' },
  {
    kind: 'browser',
    weight: 3,
    ua: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  },
  {
    kind: 'browser',
    weight: 1,
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Vivaldi/7.0.3495.18',
  },
  // Phones and tablets
  {
    kind: 'mobile-browser',
    weight: 40,
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  },
  {
    kind: 'mobile-browser',
    weight: 25,
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  },
  {
    kind: 'mobile-browser',
    weight: 8,
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
  },
  {
    kind: 'mobile-browser',
    weight: 10,
    ua: 'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  },
  {
    kind: 'mobile-browser',
    weight: 35,
    ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  },
  {
    kind: 'mobile-browser',
    weight: 12,
    ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  },
  {
    kind: 'mobile-browser',
    weight: 10,
    ua: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  },
  {
    kind: 'mobile-browser',
    weight: 8,
    ua: 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  },
  {
    kind: 'mobile-browser',
    weight: 4,
    ua: 'Mozilla/5.0 (Linux; Android 13; M2101K6G) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  },
  { kind: 'mobile-browser', weight: 3, ua: 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0' },
  {
    kind: 'mobile-browser',
    weight: 3,
    ua: 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Safari/537.36',
  },
  {
    kind: 'mobile-browser',
    weight: 2,
    ua: 'Mozilla/5.0 (Linux; Android 12; CPH2219) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Mobile Safari/537.36 OPR/85.0.4341.79',
  },
  // Mobile apps (native HTTP stacks) with the device facts they report at login
  {
    kind: 'app',
    weight: 14,
    ua: 'Movens/5.12.0 CFNetwork/1568.200.51 Darwin/24.1.0',
    device: {
      brand: 'Apple',
      model: 'iPhone 15 Pro',
      osName: 'iOS',
      osVersion: '18.1',
      appName: 'Movens',
      appVersion: '5.12.0',
    },
  },
  {
    kind: 'app',
    weight: 8,
    ua: 'Movens/5.11.2 CFNetwork/1496.0.7 Darwin/23.5.0',
    device: {
      brand: 'Apple',
      model: 'iPhone 13',
      osName: 'iOS',
      osVersion: '17.5',
      appName: 'Movens',
      appVersion: '5.11.2',
    },
  },
  {
    kind: 'app',
    weight: 10,
    ua: 'Dalvik/2.1.0 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007)',
    device: {
      brand: 'Samsung',
      model: 'SM-S918B',
      osName: 'Android',
      osVersion: '14',
      appName: 'Movens',
      appVersion: '5.12.0',
    },
  },
  {
    kind: 'app',
    weight: 6,
    ua: 'Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230901.001)',
    device: {
      brand: 'Google',
      model: 'Pixel 7',
      osName: 'Android',
      osVersion: '13',
      appName: 'Movens',
      appVersion: '5.11.2',
    },
  },
  {
    kind: 'app',
    weight: 5,
    ua: 'okhttp/4.12.0',
    device: {
      brand: 'Xiaomi',
      model: 'Redmi Note 12',
      osName: 'Android',
      osVersion: '13',
      appName: 'Movens',
      appVersion: '5.10.0',
    },
  },
  {
    kind: 'app',
    weight: 3,
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
    device: {
      brand: 'Apple',
      model: 'iPhone 12',
      osName: 'iOS',
      osVersion: '17.5',
      appName: 'Movens Pay',
      appVersion: '2.4.1',
    },
  },
  {
    kind: 'app',
    weight: 3,
    ua: 'Mozilla/5.0 (Linux; Android 12; moto g(60) Build/S2RIS32.32-20-9-11; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36',
    device: {
      brand: 'Motorola',
      model: 'moto g(60)',
      osName: 'Android',
      osVersion: '12',
      appName: 'Movens Pay',
      appVersion: '2.4.0',
    },
  },
  // Crawlers and monitors
  { kind: 'bot', weight: 3, ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
  {
    kind: 'bot',
    weight: 2,
    ua: 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36',
  },
  { kind: 'bot', weight: 1, ua: 'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)' },
  { kind: 'bot', weight: 1, ua: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' },
  { kind: 'bot', weight: 1, ua: 'Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)' },
  { kind: 'bot', weight: 1, ua: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' },
  // API clients and scripts
  { kind: 'cli', weight: 4, ua: 'curl/8.5.0' },
  { kind: 'cli', weight: 4, ua: 'python-requests/2.32.3' },
  { kind: 'cli', weight: 2, ua: 'Go-http-client/2.0' },
  { kind: 'cli', weight: 2, ua: 'PostmanRuntime/7.42.0' },
  { kind: 'cli', weight: 1, ua: 'axios/1.7.7' },
  { kind: 'cli', weight: 1, ua: 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)' },
  { kind: 'cli', weight: 1, ua: 'Wget/1.21.4' },
];

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
