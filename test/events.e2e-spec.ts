/**
 * The history of all sessions (GET /api/hub/v1/events): every filter against the rows, exact totals, keyset paging
 * newest first, who sees what, and bad input as the hub's 400.
 */
import { EventStore } from '../src/sessions/persistence/event.store';
import { makeSession, makeUser, TestUser } from './support/factories';
import { Http } from './support/http';
import { engines, startTestApp, TestApp } from './support/test-app';

const EVENTS = '/api/hub/v1/events';

describe.each(engines())('event history on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let ann: TestUser;
  let ben: TestUser;
  let startedAt: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    admin = new Http(t.baseUrl, t.adminKey);
    ann = await makeUser(admin, { username: 'ann-events' });
    ben = await makeUser(admin, { username: 'ben-events' });
    startedAt = new Date(Date.now() - 1000).toISOString();
    const annSessions = [await makeSession(admin, ann), await makeSession(admin, ann), await makeSession(admin, ann)];
    const benSessions = [await makeSession(admin, ben), await makeSession(admin, ben)];
    await admin.post('/api/hub/v1/sessions/validate', { token: annSessions[0].token, ip: '198.51.100.7' });
    await new Http(t.baseUrl, ann.key).post(`/api/hub/v1/sessions/${annSessions[1].uuid}/end`);
    await admin.delete(`/api/v3/core/authenticated_sessions/${benSessions[0].uuid}/`);
    await admin.post(`/api/hub/v1/users/${ann.id}/credential-change`, {});
  });
  afterAll(() => t?.close());

  /** The event ids SQL finds for a WHERE clause, newest first. */
  const idsWhere = async (where: string, params: unknown[] = []) =>
    (await t.sql<{ id: number }>(`SELECT e.id FROM session_events e WHERE ${where} ORDER BY e.id DESC`, params)).map(
      (r) => Number(r.id),
    );

  async function pagesOf(as: Http, query: string, limit: number): Promise<{ ids: number[]; totals: number[] }> {
    const ids: number[] = [];
    const totals: number[] = [];
    let before: number | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const res: { status: number; body: any } = await as.get(
        `${EVENTS}?${query}&limit=${limit}${before ? `&before=${before}` : ''}`,
      );
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((e: any) => e.id));
      totals.push(res.body.total);
      before = res.body.nextBefore;
      if (before === null) break;
    }
    return { ids, totals };
  }

  it('should page every event newest first with an exact total, for a superuser', async () => {
    const all = await idsWhere('true');
    const { ids, totals } = await pagesOf(admin, '', 4);
    expect(ids).toEqual(all);
    expect(new Set(totals)).toEqual(new Set([all.length]));
    const first = await admin.get(`${EVENTS}?limit=1`);
    expect(Object.keys(first.body)).toEqual(['items', 'total', 'nextBefore']);
    expect(Object.keys(first.body.items[0])).toEqual([
      'id',
      'kind',
      'reason',
      'detail',
      'actorUserId',
      'face',
      'at',
      'ip',
      'userAgent',
      'sessionUuid',
      'userId',
    ]);
  });

  it('should apply each filter as the rows say', async () => {
    const annSession = (
      await t.sql<{ uuid: string; id: number }>(`SELECT uuid, id FROM sessions WHERE user_id = $1 ORDER BY id`, [
        ann.id,
      ])
    )[0];
    const cases: [string, string, unknown[]][] = [
      [`user=${ann.id}`, 'e.user_id = $1', [ann.id]],
      [`session=${annSession.uuid}`, 'e.session_id = $1', [annSession.id]],
      ['kind=revoked', "e.kind = 'revoked'", []],
      ['reason=credential_change', "e.reason = 'credential_change'", []],
      ['face=authentik', "e.face = 'authentik'", []],
      [`actor=${ann.id}`, 'e.actor_user_id = $1', [ann.id]],
      [`since=${startedAt}&kind=created`, "e.at >= $1 AND e.kind = 'created'", [startedAt]],
      [`until=${startedAt}`, 'e.at < $1', [startedAt]],
      [
        `user=${ben.id}&kind=revoked&face=authentik`,
        "e.user_id = $1 AND e.kind = 'revoked' AND e.face = 'authentik'",
        [ben.id],
      ],
    ];
    for (const [query, where, params] of cases) {
      const expected = await idsWhere(where, params);
      const { ids, totals } = await pagesOf(admin, query, 2);
      expect([query, ids, totals[0]]).toEqual([query, expected, expected.length]);
    }
    // The filters found something to tell apart.
    expect((await idsWhere("e.reason = 'credential_change'")).length).toBe(2);
    expect((await idsWhere('e.actor_user_id = $1', [ann.id])).length).toBe(2); // her logout, her new address
  });

  it('should keep every total exact through count checkpoints, new events and deletions', async () => {
    const events = t.app.get(EventStore);
    // Every combination of the counted filters (kind, reason, face), with values that match and one that does not,
    // and a filter the counts cannot answer beside them.
    const values = { kind: ['created', 'revoked', 'ended'], reason: ['revoke', 'logout'], face: ['hub', 'movens'] };
    const queries: string[] = [''];
    for (const kind of [undefined, ...values.kind])
      for (const reason of [undefined, ...values.reason])
        for (const face of [undefined, ...values.face]) {
          const parts = [kind && `kind=${kind}`, reason && `reason=${reason}`, face && `face=${face}`].filter(Boolean);
          if (parts.length) queries.push(parts.join('&'), [...parts, `user=${ann.id}`].join('&'));
        }
    const sqlFor = (query: string) => {
      const params = new URLSearchParams(query);
      const where = ['true'];
      const args: unknown[] = [];
      for (const [name, column] of [
        ['kind', 'kind'],
        ['reason', 'reason'],
        ['face', 'face'],
        ['user', 'user_id'],
      ])
        if (params.has(name)) where.push(`e.${column} = $${args.push(params.get(name))}`);
      return { where: where.join(' AND '), args };
    };
    const expectExact = async (moment: string) => {
      for (const query of queries) {
        const { where, args } = sqlFor(query);
        const expected = (await idsWhere(where, args)).length;
        const res = await admin.get(`${EVENTS}?${query}&limit=1`);
        expect([moment, query, res.body.total]).toEqual([moment, query, expected]);
      }
    };
    await expectExact('before any checkpoint');
    expect(await events.advanceCountCheckpoint()).toBeGreaterThan(0);
    await expectExact('at the checkpoint');
    const more = await makeSession(admin, ben);
    await new Http(t.baseUrl, ben.key).post(`/api/hub/v1/sessions/${more.uuid}/end`);
    await expectExact('past the checkpoint');
    // Deletions on either side of the checkpoint: older counted events, and the newest uncounted one.
    await t.sql(`DELETE FROM session_events WHERE id IN (SELECT id FROM session_events ORDER BY id LIMIT 3)`);
    await t.sql(`DELETE FROM session_events WHERE id = (SELECT max(id) FROM session_events)`);
    await expectExact('after deletions');
    expect(await events.advanceCountCheckpoint()).toBeGreaterThan(0);
    await expectExact('at the next checkpoint');
    expect(await events.advanceCountCheckpoint()).toBe(0);
    await expectExact('at a checkpoint with nothing new');
  });

  it("should show a plain user only their own sessions' events", async () => {
    const asAnn = new Http(t.baseUrl, ann.key);
    const own = await idsWhere('e.user_id = $1', [ann.id]);
    expect((await pagesOf(asAnn, '', 3)).ids).toEqual(own);
    const other = await asAnn.get(`${EVENTS}?user=${ben.id}`);
    expect(other.body).toEqual({ items: [], total: 0, nextBefore: null });
    const benSession = (await t.sql<{ uuid: string }>(`SELECT uuid FROM sessions WHERE user_id = $1`, [ben.id]))[0];
    expect((await asAnn.get(`${EVENTS}?session=${benSession.uuid}`)).body.total).toBe(0);
    expect((await new Http(t.baseUrl).get(EVENTS)).status).toBe(401);
  });

  it("should refuse bad input with the hub's 400", async () => {
    for (const query of [
      'kind=bogus',
      'reason=because',
      'face=web',
      'user=abc',
      'user=0',
      'user=99999999999',
      'session=not-a-uuid',
      "session=1' OR '1'='1",
      'since=yesterday',
      'until=2026-13-45T00:00:00Z',
      'limit=0',
      'limit=101',
      'before=-1',
      'before=1e30',
      'unknown=1',
      'kind=%00',
    ]) {
      const res = await admin.get(`${EVENTS}?${query}`);
      expect([query, res.status, res.body.statusCode, res.body.error]).toEqual([query, 400, 400, 'Bad Request']);
    }
  });

  it('should refuse ISO 8601 forms a date cannot be read from (week dates, basic format) with a 400 naming the parameter', async () => {
    for (const param of ['since', 'until'])
      for (const value of ['2026-W01', '2026-W01-1', '20260101T000000Z', '2026-001', '2026-032', '2026-02-30']) {
        const res = await admin.get(`${EVENTS}?${param}=${value}`);
        expect([param, value, res.status, res.body]).toEqual([
          param,
          value,
          400,
          {
            statusCode: 400,
            error: 'Bad Request',
            message: [`${param} must be an ISO 8601 date and time, e.g. 2030-01-01T00:00:00Z`],
          },
        ]);
      }
    expect((await admin.get(`${EVENTS}?since=2026-01-01T00:00:00Z&until=2026-01-02`)).status).toBe(200);
  });
});
