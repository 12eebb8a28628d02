/**
 * API tokens, and session tokens used as bearer keys, are checked from memory (AccountCache for tokens and users,
 * LiveSessionCache for sessions). What must hold: a token deleted or a session ended through the hub is refused at
 * once by the process that did it; a token, session or user changed behind the service's back (SQL) is refused
 * within 100 ms; without the notification the copy still ends after its bound; 0 reads the database every time;
 * concurrent requests with a key not in memory read it once.
 */
import { CREDENTIALS_CHANGED_CHANNEL } from '../src/sessions/credentials/account-cache';
import { makeSession, makeUser, TestSession, TestUser } from './support/factories';
import { Http } from './support/http';
import { TableLock } from './support/table-lock';
import { engines, startTestApp, TestApp } from './support/test-app';

const TOKENS = '/api/hub/v1/tokens';

const VALIDATE = '/api/hub/v1/sessions/validate';

/** The key's status on every request from now until it is refused or `withinMs` has passed. */
async function refusedWithin(anon: Http, key: string, withinMs: number): Promise<number> {
  const changed = Date.now();
  let status = (await anon.as(key).get(TOKENS)).status;
  while (status === 200 && Date.now() - changed < withinMs) status = (await anon.as(key).get(TOKENS)).status;
  return status;
}

/** `n` requests with `key` sent at once: their statuses. */
function burst(anon: Http, key: string, n: number): Promise<number>[] {
  return Array.from({ length: n }, () =>
    anon
      .as(key)
      .get(TOKENS)
      .then((r) => r.status),
  );
}

describe.each(engines())('API tokens from memory on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let anon: Http;

  beforeAll(async () => {
    t = await startTestApp(engine, { API_TOKEN_CACHE_SECONDS: '2' });
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
  });
  afterAll(() => t?.close());

  /** A user whose token has been accepted twice, so its copy is in memory. */
  async function cachedUser(): Promise<TestUser> {
    const user = await makeUser(admin);
    for (let i = 0; i < 2; i++) expect((await anon.as(user.key).get(TOKENS)).status).toBe(200);
    return user;
  }

  it('should refuse a token at once after the hub deletes it', async () => {
    const user = await cachedUser();
    // The user's own list holds just that token.
    const [token] = (await anon.as(user.key).get(TOKENS)).body as { identifier: string }[];
    expect((await admin.delete(`${TOKENS}/${token.identifier}`)).status).toBe(204);
    expect(await refusedWithin(anon, user.key, 0)).toBe(401);
  });

  it('should refuse within 100 ms a token or user changed behind its back', async () => {
    const deactivated = await cachedUser();
    await t.sql(`UPDATE users SET is_active = false WHERE id = $1`, [deactivated.id]);
    expect(await refusedWithin(anon, deactivated.key, 100)).toBe(401);

    const expired = await cachedUser();
    await t.sql(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [expired.id]);
    expect(await refusedWithin(anon, expired.key, 100)).toBe(401);

    const deleted = await cachedUser();
    await t.sql(`DELETE FROM api_tokens WHERE user_id = $1`, [deleted.id]);
    expect(await refusedWithin(anon, deleted.key, 100)).toBe(401);
  });

  it('should answer from memory, and never past the bound even when no notification comes', async () => {
    const user = await cachedUser();
    // The notification is switched off, so only the copy's age can end it.
    await t.sql(`ALTER TABLE users DISABLE TRIGGER users_notify_changed`);
    try {
      await t.sql(`UPDATE users SET is_active = false WHERE id = $1`, [user.id]);
      const changed = Date.now();
      // Still accepted right after the change: the proof that the check did not read the database.
      expect((await anon.as(user.key).get(TOKENS)).status).toBe(200);
      expect(await refusedWithin(anon, user.key, 5000)).toBe(401);
      expect(Date.now() - changed).toBeLessThanOrEqual(2000 + 500);
    } finally {
      await t.sql(`ALTER TABLE users ENABLE TRIGGER users_notify_changed`);
    }
  });
});

describe.each(engines())('API tokens with API_TOKEN_CACHE_SECONDS=0 on %s', (engine) => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('should read the database on every request', async () => {
    t = await startTestApp(engine, { API_TOKEN_CACHE_SECONDS: '0' });
    const anon = new Http(t.baseUrl);
    const user = await makeUser(anon.as(t.adminKey));
    expect((await anon.as(user.key).get(TOKENS)).status).toBe(200);
    await t.sql(`ALTER TABLE users DISABLE TRIGGER users_notify_changed`);
    try {
      await t.sql(`UPDATE users SET is_active = false WHERE id = $1`, [user.id]);
      expect((await anon.as(user.key).get(TOKENS)).status).toBe(401);
    } finally {
      await t.sql(`ALTER TABLE users ENABLE TRIGGER users_notify_changed`);
    }
  });
});

describe.each(engines())('session tokens as bearer keys from memory on %s', (engine) => {
  let t: TestApp;
  let admin: Http;
  let anon: Http;

  beforeAll(async () => {
    t = await startTestApp(engine, { API_TOKEN_CACHE_SECONDS: '2', VALIDATE_CACHE_SECONDS: '2' });
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
  });
  afterAll(() => t?.close());

  /** A session whose token has been accepted as a bearer key twice, so its copies are in memory; and its owner. */
  async function cachedSession(): Promise<{ user: TestUser; session: TestSession }> {
    const user = await makeUser(admin);
    const session = await makeSession(admin, user);
    for (let i = 0; i < 2; i++) expect((await anon.as(session.token).get(TOKENS)).status).toBe(200);
    return { user, session };
  }

  /** Runs `during` with a table's notification trigger switched off, so only a copy's age can end what it holds. */
  async function withoutTrigger<T>(table: string, trigger: string, during: () => Promise<T>): Promise<T> {
    await t.sql(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
    try {
      return await during();
    } finally {
      await t.sql(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
    }
  }

  it("should answer as the session's owner, and refuse a session at once after the hub ends it", async () => {
    const { user, session } = await cachedSession();
    // The owner's own tokens, as an API token of theirs would see them.
    const own = (await anon.as(session.token).get(TOKENS)).body as { user: { id: number } }[];
    expect(own.map((token) => token.user.id)).toEqual([user.id]);
    expect((await admin.post(`/api/hub/v1/sessions/${session.uuid}/end`)).status).toBe(200);
    expect(await refusedWithin(anon, session.token, 0)).toBe(401);
  });

  it('should refuse within 100 ms a session ended or an owner changed behind its back', async () => {
    const revoked = await cachedSession();
    await t.sql(`UPDATE sessions SET status = 'revoked' WHERE id = $1`, [revoked.session.id]);
    expect(await refusedWithin(anon, revoked.session.token, 100)).toBe(401);

    const deactivated = await cachedSession();
    // Validated first, so validate's copy holds the session too: its owner's standing is checked all the same.
    const validate = () => anon.post(VALIDATE, { token: deactivated.session.token });
    expect((await validate()).status).toBe(200);
    await t.sql(`UPDATE users SET is_active = false WHERE id = $1`, [deactivated.user.id]);
    expect(await refusedWithin(anon, deactivated.session.token, 100)).toBe(401);
    const refused = await validate();
    expect([refused.status, refused.body.message]).toEqual([401, expect.any(String)]);
    // Nor is a new session made for them.
    const login = await admin.post('/api/hub/v1/sessions', {
      user: deactivated.user.id,
      ip: '192.0.2.1',
      userAgent: 'curl/8.5.0',
    });
    expect([login.status, login.body.message]).toEqual([403, 'Login refused: the user is deactivated.']);

    // A user made superuser is seen at once: their session token lists every user's tokens.
    const promoted = await cachedSession();
    await t.sql(`UPDATE users SET is_superuser = true WHERE id = $1`, [promoted.user.id]);
    const all = (await t.sql(`SELECT count(*) AS n FROM api_tokens`))[0].n;
    const wide = Date.now();
    let seen = (await anon.as(promoted.session.token).get(TOKENS)).body as unknown[];
    while (seen.length !== Number(all) && Date.now() - wide < 100)
      seen = (await anon.as(promoted.session.token).get(TOKENS)).body as unknown[];
    expect(seen.length).toBe(Number(all));
  });

  it('should answer from memory, and never past the bound even when no notification comes', async () => {
    const revoked = await cachedSession();
    await withoutTrigger('sessions', 'sessions_notify_ended', async () => {
      await t.sql(`UPDATE sessions SET status = 'revoked' WHERE id = $1`, [revoked.session.id]);
      const changed = Date.now();
      // Still accepted right after the change: the proof that the check did not read the database.
      expect((await anon.as(revoked.session.token).get(TOKENS)).status).toBe(200);
      expect(await refusedWithin(anon, revoked.session.token, 5000)).toBe(401);
      expect(Date.now() - changed).toBeLessThanOrEqual(2000 + 500);
    });

    const deactivated = await cachedSession();
    await withoutTrigger('users', 'users_notify_changed', async () => {
      await t.sql(`UPDATE users SET is_active = false WHERE id = $1`, [deactivated.user.id]);
      const changed = Date.now();
      expect((await anon.as(deactivated.session.token).get(TOKENS)).status).toBe(200);
      expect(await refusedWithin(anon, deactivated.session.token, 5000)).toBe(401);
      expect(Date.now() - changed).toBeLessThanOrEqual(2000 + 500);
    });
  });
});

describe.each(engines())('session tokens as bearer keys with both copies off on %s', (engine) => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('should read the database on every request', async () => {
    t = await startTestApp(engine, { API_TOKEN_CACHE_SECONDS: '0', VALIDATE_CACHE_SECONDS: '0' });
    const anon = new Http(t.baseUrl);
    const admin = anon.as(t.adminKey);
    const user = await makeUser(admin);
    const [revoked, kept] = [await makeSession(admin, user), await makeSession(admin, user)];
    for (const session of [revoked, kept]) expect((await anon.as(session.token).get(TOKENS)).status).toBe(200);
    await t.sql(`ALTER TABLE sessions DISABLE TRIGGER sessions_notify_ended`);
    await t.sql(`ALTER TABLE users DISABLE TRIGGER users_notify_changed`);
    try {
      await t.sql(`UPDATE sessions SET status = 'revoked' WHERE id = $1`, [revoked.id]);
      expect((await anon.as(revoked.token).get(TOKENS)).status).toBe(401);
      expect((await anon.as(kept.token).get(TOKENS)).status).toBe(200);
      await t.sql(`UPDATE users SET is_active = false WHERE id = $1`, [user.id]);
      expect((await anon.as(kept.token).get(TOKENS)).status).toBe(401);
    } finally {
      await t.sql(`ALTER TABLE sessions ENABLE TRIGGER sessions_notify_ended`);
      await t.sql(`ALTER TABLE users ENABLE TRIGGER users_notify_changed`);
    }
  });
});

/**
 * What the copies save, seen from the database: the reads are made to wait on a lock another connection holds, so
 * the reads in flight can be counted in pg_stat_activity (a key in memory reads nothing; concurrent requests with a
 * key not in memory share one read). PostgreSQL only: PGlite runs one statement at a time in-process, so nothing
 * can be seen waiting.
 */
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('credential reads on postgres', () => {
  let t: TestApp;
  let anon: Http;
  let admin: Http;
  let lock: TableLock;

  beforeAll(async () => {
    t = await startTestApp('postgres', { API_TOKEN_CACHE_SECONDS: '30', VALIDATE_CACHE_SECONDS: '30' });
    anon = new Http(t.baseUrl);
    admin = anon.as(t.adminKey);
    lock = await TableLock.open(t.config.DATABASE_URL!);
  });
  afterAll(async () => {
    await lock?.close();
    await t?.close();
  });

  /** 12 requests with each key at the same moment while `table` is locked: one read per key waits, all answered. */
  async function expectOneReadPerKey(table: string, keys: string[]): Promise<void> {
    const answers = await lock.holding(table, async () => {
      const sent = keys.flatMap((key) => burst(anon, key, 12));
      expect(await lock.settledWaiting()).toBe(keys.length);
      return sent;
    });
    expect(await Promise.all(answers)).toEqual(Array(12 * keys.length).fill(200));
  }

  it('should read a key once for many requests at the same moment, and once per key', async () => {
    const [first, second] = [await makeUser(admin), await makeUser(admin)];
    await expectOneReadPerKey('api_tokens', [first.key, second.key]);
  });

  it('should not share a read that began before a change was heard', async () => {
    const user = await makeUser(anon.as(t.adminKey));
    const answers = await lock.holding('api_tokens', async () => {
      const sent = burst(anon, user.key, 6);
      expect(await lock.settledWaiting()).toBe(1);
      // What a token or user trigger sends: every process forgets its copies and the reads in flight.
      await lock.query(`NOTIFY ${CREDENTIALS_CHANGED_CHANNEL}, 'test'`);
      await new Promise((r) => setTimeout(r, 200));
      sent.push(...burst(anon, user.key, 6));
      expect(await lock.settledWaiting()).toBe(2);
      return sent;
    });
    expect(await Promise.all(answers)).toEqual(Array(12).fill(200));
  });

  it('should answer a session token in memory without reading sessions', async () => {
    const session = await makeSession(admin, await makeUser(admin));
    expect((await anon.as(session.token).get(TOKENS)).status).toBe(200);
    // Answered while the table is locked (the token list itself reads api_tokens and users only).
    const answers = await lock.holding('sessions', () => Promise.all(burst(anon, session.token, 6)));
    expect(answers).toEqual(Array(6).fill(200));
  });

  it('should read a session token once for many requests at the same moment', async () => {
    const [first, second] = [
      await makeSession(admin, await makeUser(admin)),
      await makeSession(admin, await makeUser(admin)),
    ];
    await expectOneReadPerKey('sessions', [first.token, second.token]);
  });

  it('should read the owner once when only the session is in memory', async () => {
    const user = await makeUser(admin);
    const session = await makeSession(admin, user);
    expect((await anon.as(session.token).get(TOKENS)).status).toBe(200);
    // Any user change drops every owner copy; the session copy stays.
    await lock.query(`NOTIFY ${CREDENTIALS_CHANGED_CHANNEL}, 'test'`);
    await new Promise((r) => setTimeout(r, 200));
    await expectOneReadPerKey('users', [session.token]);
  });
});
