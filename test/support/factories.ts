import { randomBytes } from 'node:crypto';
import { Http } from './http';

export const USER_AGENTS = {
  macSafari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  androidChrome:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
  windowsChrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  curl: 'curl/8.5.0',
};

/** Device facts a mobile app reports at login (the hub's `device`, MOVENS mobile-logon's SmBrand, SmModel, ...). */
export const MOBILE_APP_DEVICE = {
  brand: 'Apple',
  model: 'iPhone 15',
  osName: 'iOS',
  osVersion: '17.2',
  appName: 'Movens',
  appVersion: '3.4.1',
};

export interface TestUser {
  id: number;
  uuid: string;
  username: string;
  identityId: string;
  /** An API token of this user. */
  key: string;
}

export interface TestSession {
  id: number;
  uuid: string;
  pfid: string;
  token: string;
  [field: string]: unknown;
}

function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Users made through the hub API as the superuser, each with an API token of its own. */
export async function makeUser(
  admin: Http,
  overrides: { username?: string; isSuperuser?: boolean; isOperator?: boolean; name?: string; email?: string } = {},
): Promise<TestUser> {
  const created = await admin.post('/api/hub/v1/users', {
    username: overrides.username ?? unique('user'),
    ...overrides,
  });
  if (created.status !== 201) throw new Error(`makeUser: ${created.status} ${created.text}`);
  const token = await admin.post('/api/hub/v1/tokens', { user: created.body.id });
  if (token.status !== 201) throw new Error(`makeUser token: ${token.status} ${token.text}`);
  return {
    id: created.body.id,
    uuid: created.body.uuid,
    username: created.body.username,
    identityId: created.body.identityId,
    key: token.body.key,
  };
}

/** A session made by the hub's login call. */
export async function makeSession(
  admin: Http,
  user: { id: number } | number | string,
  overrides: Record<string, unknown> = {},
): Promise<TestSession> {
  const ref = typeof user === 'object' ? user.id : user;
  const created = await admin.post('/api/hub/v1/sessions', {
    user: ref,
    ip: '203.0.113.7',
    userAgent: USER_AGENTS.macSafari,
    ...overrides,
  });
  if (created.status !== 201) throw new Error(`makeSession: ${created.status} ${created.text}`);
  return created.body as TestSession;
}
