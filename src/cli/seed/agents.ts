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
