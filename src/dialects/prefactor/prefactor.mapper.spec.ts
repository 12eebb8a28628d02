import { HttpException, NotFoundException } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '../../sessions/domain-error';
import { Session } from '../../sessions/session.model';
import { sessionFixture } from '../../../test/support/session-fixture';
import { ParsedUserAgent } from '../../sessions/insight/user-agent/uap-parser';
import { toPrefactorError } from './prefactor-exception.filter';
import { prefactorListJson, PrefactorRenderedRows, prefactorSummaryJson } from './prefactor-list-json';
import { toPaginationOutput, toSessionFetch, toSessionList, toSessionSummary, toTimestamp } from './prefactor.mapper';
import { parseListQuery, parseSessionId, PrefactorRequestError } from './prefactor.request';

const ACCOUNT = '013xrzp12g3nqk8n6cyr5x0k8yb10h59';
const IDENTITY = '013xrzp12g3nqk8n3f5qv5e2r757shwd';
const DEVICE = '013xrzp12g3nqk8ncwfp3ra29yjzx1gs';
const DOMAIN = '013xrzp12g3nqk8n32sd3jyxq5a8ywe2';
const SESSION = '013xrzp12g3nqk8nkv4y96wrbzje9dsr';
const POOL = '013xrzp12g3nqk8ng09nmc8kwqzfafa2';
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15';
const NOW = new Date('2026-11-22T10:00:00.000Z');

function session(overrides: Partial<Session> = {}): Session {
  return sessionFixture({
    id: 7,
    uuid: '6f1c1f5e-5a43-4d8e-9d0b-1b6f3c3d2a11',
    pfid: SESSION,
    userId: 3,
    userUuid: '83bde819-ec08-4cee-b635-884145630d0b',
    username: 'alice',
    userIsOperator: false,
    status: 'authenticated',
    sessionType: 'browser',
    accountId: ACCOUNT,
    domainId: DOMAIN,
    poolId: POOL,
    identityId: IDENTITY,
    deviceId: DEVICE,
    title: 'Safari on Mac OS X',
    createdAt: new Date('2026-11-22T09:00:00.250Z'),
    firstSeen: { at: new Date('2026-11-22T09:00:00.250Z'), ip: '203.0.113.7', userAgent: UA },
    lastSeen: { at: new Date('2026-11-22T09:30:05.999Z'), ip: '203.0.113.7', userAgent: UA },
    expiresAt: new Date('2026-11-23T09:00:00.000Z'),
    absoluteExpiresAt: new Date('2026-11-23T09:00:00.000Z'),
    idleSeconds: null,
    endedAt: null,
    endedBy: null,
    device: { brand: null, model: null, osName: null, osVersion: null, appName: null, appVersion: null },
    deviceClass: 'desktop',
    userAgent: {} as ParsedUserAgent,
    geo: null,
    asn: null,
    ...overrides,
  });
}

describe('Prefactor mapper', () => {
  it('should map every Session_Summary field, with Unix seconds rounded down and no geo fields without GeoIP data', () => {
    expect(toSessionSummary(session(), NOW)).toEqual({
      account_id: ACCOUNT,
      authenticated_identity_id: IDENTITY,
      device_id: DEVICE,
      domain_id: DOMAIN,
      first_seen: { at: 1795338000, remote_ip: '203.0.113.7', user_agent: UA },
      id: SESSION,
      last_seen: { at: 1795339805, remote_ip: '203.0.113.7', user_agent: UA },
      pool_id: POOL,
      session_type: 'browser',
      status: 'authenticated',
      title: 'Safari on Mac OS X',
      type: 'session',
    });
    expect(toTimestamp(new Date('2009-02-13T23:31:30.999Z'))).toBe(1234567890);
  });

  it('should show a live status past expiry as complete, and offer revoke only as told', () => {
    const expired = session({ expiresAt: new Date(NOW.getTime() - 1) });
    expect(toSessionFetch(expired, false, NOW)).toEqual({
      actions: { revoke: false },
      summary: expect.objectContaining({ status: 'complete' }),
    });
    expect(toSessionFetch(session({ status: 'revoked' }), false, NOW).summary.status).toBe('revoked');
    expect(toSessionFetch(session(), true, NOW).actions).toEqual({ revoke: true });
  });

  it('should add the geo fields GeoIP gave to last_seen, and to first_seen only while the IP is unchanged', () => {
    const geo = {
      geo: {
        continent: 'OC',
        country: 'AU',
        lat: -37.8159,
        long: 144.9669,
        city: 'Melbourne',
        region_code: 'VIC',
        timezone: 'Australia/Melbourne',
      },
      asn: { asn: 4764, as_org: 'Aussie Broadband', network: '203.0.113.0/24' },
    };
    const expected = {
      asn: 4764,
      city: 'Melbourne',
      country_code: 'AU',
      lat_long: [-37.8159, 144.9669],
      region_code: 'VIC',
      timezone: 'Australia/Melbourne',
    };
    const same = toSessionSummary(session(geo), NOW);
    expect(same.last_seen).toEqual({ at: 1795339805, remote_ip: '203.0.113.7', user_agent: UA, ...expected });
    expect(same.first_seen).toEqual({ at: 1795338000, remote_ip: '203.0.113.7', user_agent: UA, ...expected });
    const moved = toSessionSummary(session({ ...geo, lastSeen: { at: NOW, ip: '2001:db8::5', userAgent: UA } }), NOW);
    expect(moved.first_seen).toEqual({ at: 1795338000, remote_ip: '203.0.113.7', user_agent: UA });
    expect(moved.last_seen).toMatchObject({ remote_ip: '2001:db8::5', city: 'Melbourne' });
    const partial = toSessionSummary(
      session({
        geo: { continent: null, country: null, lat: null, long: 1, city: '', region_code: null, timezone: null },
        asn: { asn: null, as_org: null, network: null },
      }),
      NOW,
    );
    expect(Object.keys(partial.last_seen!)).toEqual(['at', 'remote_ip', 'user_agent']);
  });

  it('should compute pagination one-based, with nulls at the ends and zeros for an empty page', () => {
    expect(toPaginationOutput(90, 10, 200, 10)).toEqual({
      item_count: 200,
      item_end: 100,
      item_start: 91,
      next_page_offset: 100,
      page_count: 20,
      page_index: 10,
      page_offset: 90,
      page_size: 10,
      previous_page_offset: 80,
    });
    expect(toPaginationOutput(0, 3, 7, 3)).toMatchObject({
      item_start: 1,
      item_end: 3,
      next_page_offset: 3,
      previous_page_offset: null,
      page_index: 1,
      page_count: 3,
    });
    expect(toPaginationOutput(6, 3, 7, 1)).toMatchObject({
      item_start: 7,
      item_end: 7,
      next_page_offset: null,
      previous_page_offset: 3,
      page_index: 3,
    });
    expect(toPaginationOutput(5, 3, 7, 2)).toMatchObject({
      item_start: 6,
      item_end: 7,
      next_page_offset: null,
      previous_page_offset: 2,
      page_index: 2,
    });
    expect(toPaginationOutput(2, 5, 7, 5)).toMatchObject({ previous_page_offset: 0, next_page_offset: null });
    expect(toPaginationOutput(0, 20, 0, 0)).toEqual({
      item_count: 0,
      item_end: 0,
      item_start: 0,
      next_page_offset: null,
      page_count: 0,
      page_index: 1,
      page_offset: 0,
      page_size: 20,
      previous_page_offset: null,
    });
    expect(toPaginationOutput(50, 20, 7, 0)).toMatchObject({
      item_start: 0,
      item_end: 0,
      next_page_offset: null,
      previous_page_offset: 30,
      page_index: 3,
    });
  });

  it('should wrap summaries in the success envelope with the sorting echoed', () => {
    const list = toSessionList([session()], 1, 0, 20, { field: 'last_seen', direction: 'desc' }, NOW);
    expect(list.status).toBe('success');
    expect(list.sorting).toEqual({ field: 'last_seen', direction: 'desc' });
    expect(list.summaries).toHaveLength(1);
    expect(list.pagination.item_count).toBe(1);
  });
});

describe('Prefactor list JSON from kept summaries', () => {
  const sorting = { field: 'last_seen', direction: 'desc' } as const;

  it('should write exactly what JSON.stringify writes of toSessionList, kept or not', () => {
    const rendered = new PrefactorRenderedRows();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 3_600_000);
    const sessions = [
      session({ expiresAt }),
      session({ id: 8, status: 'revoked', title: 'quote " and \\ and \u0001', expiresAt }),
    ];
    const expected = JSON.stringify(toSessionList(sessions, 41, 20, 2, sorting, now));
    for (const round of [1, 2]) {
      const rows = sessions.map((s) => {
        const held = rendered.get(s.id, 'v1');
        return held === undefined ? { id: s.id, version: 'v1', session: s } : { id: s.id, version: 'v1', held };
      });
      expect(rows.every((row) => (row.held === undefined) === (round === 1))).toBe(true);
      const summaries = rows.map((row) => prefactorSummaryJson(row, rendered, now));
      expect(prefactorListJson(toPaginationOutput(20, 2, 41, 2), sorting, summaries).toString()).toBe(expected);
    }
  });

  it('should keep a live summary only until the session expires, when its status turns complete', () => {
    const rendered = new PrefactorRenderedRows();
    const expiring = session({ expiresAt: new Date(Date.now() + 60_000) });
    const ended = session({ id: 9, status: 'revoked', expiresAt: new Date(Date.now() - 60_000) });
    prefactorSummaryJson({ id: 7, version: 'v', session: expiring }, rendered, new Date());
    prefactorSummaryJson({ id: 9, version: 'v', session: ended }, rendered, new Date());
    expect(JSON.parse(rendered.get(7, 'v')!.toString()).status).toBe('authenticated');
    expect(rendered.get(9, 'v')).toBeDefined();
    const expired = session({ expiresAt: new Date(Date.now() - 1) });
    prefactorSummaryJson({ id: 7, version: 'w', session: expired }, rendered, new Date(Date.now() - 1_000));
    expect(rendered.get(7, 'w')).toBeUndefined();
  });
});

describe('Prefactor request parsing', () => {
  it('should default to -last_seen, offset 0 and 20 per page, and map id onto the PFID', () => {
    expect(parseListQuery({ pool_id: POOL }, false)).toEqual({
      poolId: POOL,
      accountId: undefined,
      sorting: { field: 'last_seen', direction: 'desc' },
      order: { field: 'last_seen', descending: true },
      offset: 0,
      pageSize: 20,
    });
    expect(
      parseListQuery({ sorting: 'id', 'pagination[offset]': '40', 'pagination[page_size]': '100' }, true),
    ).toMatchObject({
      sorting: { field: 'id', direction: 'asc' },
      order: { field: 'pfid', descending: false },
      offset: 40,
      pageSize: 100,
    });
  });

  it('should report every bad field at once, and a missing scope only for non-superusers', () => {
    const failure = (query: Record<string, string | string[]>, superuser = false) => {
      try {
        parseListQuery(query, superuser);
      } catch (error) {
        return error as PrefactorRequestError;
      }
      throw new Error('expected a failure');
    };
    const many = failure({ pool_id: 'x', sorting: 'name', 'pagination[page_size]': '0', 'pagination[offset]': '-1' });
    expect(many.code).toBe('invalid_value');
    expect(Object.keys(many.errors!).sort()).toEqual([
      'pagination[offset]',
      'pagination[page_size]',
      'pool_id',
      'sorting',
    ]);
    expect(failure({ pool_id: [POOL, POOL] }).errors).toEqual({ pool_id: ['must be given at most once'] });
    expect(failure({ sorting: '--id' }, true).errors!.sorting).toHaveLength(1);
    expect(failure({ 'pagination[page_size]': '1e2' }, true).errors!['pagination[page_size]']).toHaveLength(1);
    expect(failure({}).code).toBe('required_value');
    expect(parseListQuery({}, true).poolId).toBeUndefined();
    expect(() => parseSessionId('013XRZP12G3NQK8NKV4Y96WRBZJE9DSR')).toThrow(PrefactorRequestError);
    expect(() => parseSessionId('813xrzp12g3nqk8nkv4y96wrbzje9dsr')).toThrow(PrefactorRequestError);
    expect(parseSessionId(SESSION)).toBe(SESSION);
  });
});

describe('Prefactor errors', () => {
  it('should map domain codes to Prefactor codes and statuses', () => {
    const cases: [DomainErrorCode, string, number][] = [
      [DomainErrorCode.NotAuthenticated, 'not_authenticated', 401],
      [DomainErrorCode.BadCredentials, 'bad_authtoken', 401],
      [DomainErrorCode.NotPermitted, 'not_permitted', 403],
      [DomainErrorCode.NotFound, 'not_found', 404],
      [DomainErrorCode.InvalidAction, 'invalid_action', 422],
    ];
    for (const [domain, code, status] of cases) {
      expect(toPrefactorError(new DomainError(domain, 'm'))).toEqual({
        status,
        body: { code, message: 'm', status: 'error' },
      });
    }
    expect(toPrefactorError(DomainError.invalid('ip', 'bad ip'))).toEqual({
      status: 422,
      body: { code: 'invalid_value', message: 'bad ip', status: 'error', errors: { ip: ['bad ip'] } },
    });
    expect(
      toPrefactorError(new DomainError(DomainErrorCode.InvalidValue, 'Malformed JSON body: x', 'body'))!.status,
    ).toBe(400);
    expect(toPrefactorError(new NotFoundException('nope'))!.body.code).toBe('not_found');
    expect(toPrefactorError(new HttpException('too large', 413))!.body.code).toBe('bad_request');
    expect(toPrefactorError(new Error('boom'))).toBeNull();
  });
});
