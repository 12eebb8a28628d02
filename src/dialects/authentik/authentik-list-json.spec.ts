import { Session } from '../../sessions/session.model';
import { sessionFixture } from '../../../test/support/session-fixture';
import { authentikItemJson, authentikListJson, AuthentikRenderedRows } from './authentik-list-json';
import { toAuthenticatedSession, toPagination } from './authentik.mapper';

// Strings JSON.stringify escapes (quotes, backslashes, control characters, a lone surrogate), long ones and
// characters outside ASCII.
const AWKWARD = [
  '"quoted" \\ back',
  'tab\there\nline\u0000',
  'lone \ud800 surrogate',
  'Zürich 東京 🚀',
  'x'.repeat(300),
];

function session(i: number, overrides: Partial<Session> = {}): Session {
  const text = AWKWARD[i % AWKWARD.length];
  const at = new Date(Date.UTC(2026, 10, 22, 9, 30, 5, i * 7));
  return sessionFixture({
    id: 1000 + i,
    uuid: `6f1c1f5e-5a43-4d8e-9d0b-1b6f3c3d2a${String(10 + i).padStart(2, '0')}`,
    pfid: `013xrzp12g3nqk8nkv4y96wrbzje9d${String(10 + i).padStart(2, '0')}`,
    userId: 3 + i,
    userUuid: '83BDE819-EC08-4CEE-B635-884145630D0B',
    username: `user ${text}`,
    userIsOperator: i % 2 === 0,
    status: i % 3 === 0 ? 'revoked' : 'authenticated',
    sessionType: i % 2 === 0 ? 'browser' : 'api',
    accountId: '013xrzp12g3nqk8n6cyr5x0k8yb10h59',
    domainId: '013xrzp12g3nqk8n32sd3jyxq5a8ywe2',
    poolId: '013xrzp12g3nqk8ng09nmc8kwqzfafa2',
    identityId: '013xrzp12g3nqk8n3f5qv5e2r757shwd',
    deviceId: '013xrzp12g3nqk8ncwfp3ra29yjzx1gs',
    title: text,
    createdAt: at,
    firstSeen: { at, ip: i % 2 === 0 ? '203.0.113.7' : '', userAgent: text },
    lastSeen: { at: new Date(at.getTime() + 1500), ip: '2001:db8::1', userAgent: `Agent ${text}` },
    expiresAt: new Date(at.getTime() + 86_400_000),
    absoluteExpiresAt: new Date(at.getTime() + 86_400_000),
    idleSeconds: null,
    endedAt: null,
    endedBy: null,
    device: { brand: null, model: text, osName: null, osVersion: '17.2', appName: null, appVersion: null },
    deviceClass: 'desktop',
    // As jsonb returns it: keys sorted by length, so the mappers' own order is what must come out.
    userAgent: {
      os: { patch: null, major: '10', minor: i % 2 ? null : '15', family: 'Mac OS X', patch_minor: null },
      device: { brand: i % 2 ? null : 'Apple', model: null, family: 'Mac' },
      string: text,
      user_agent: { patch: null, major: '17', minor: null, family: text },
    },
    geo: {
      continent: 'EU',
      country: i % 2 ? 'DE' : null,
      lat: 52.52 + i / 3,
      long: -13.4,
      city: text,
      region_code: i % 2 ? 'BE' : null,
      timezone: 'Europe/Berlin',
    },
    asn: { asn: 64496 + i, as_org: text, network: null },
    ...overrides,
  });
}

const SESSIONS = [
  ...AWKWARD.map((_, i) => session(i)),
  session(5, { geo: null, asn: null }),
  session(6, { asn: { asn: null, as_org: null, network: null } }),
  session(7, {
    geo: { continent: null, country: null, lat: null, long: null, city: '', region_code: null, timezone: null },
  }),
];

describe('the authentik list written from kept items', () => {
  it('writes exactly what JSON.stringify wrote of the mapped page, kept or not, current for the caller only', () => {
    const rendered = new AuthentikRenderedRows();
    const caller = SESSIONS[2].id;
    const expected = JSON.stringify({
      pagination: toPagination(2, 20, 45),
      results: SESSIONS.map((s) => toAuthenticatedSession(s, caller)),
      autocomplete: {},
    });
    for (const round of [1, 2]) {
      const rows = SESSIONS.map((s) => {
        const held = rendered.get(s.id, 'v1');
        return held === undefined ? { id: s.id, version: 'v1', session: s } : { id: s.id, version: 'v1', held };
      });
      expect(rows.filter((row) => row.held !== undefined)).toHaveLength(round === 1 ? 0 : SESSIONS.length);
      const items = rows.map((row) => authentikItemJson(row, rendered, caller));
      expect(authentikListJson(toPagination(2, 20, 45), items).toString()).toBe(expected);
    }
  });

  it('writes an empty page as JSON.stringify did', () => {
    const empty = { pagination: toPagination(1, 20, 0), results: [], autocomplete: {} };
    expect(authentikListJson(empty.pagination, []).toString()).toBe(JSON.stringify(empty));
  });
});
