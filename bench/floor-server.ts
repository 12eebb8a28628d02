/**
 * The floor: what the benchmarked endpoints cost with no framework at all. A bare node:http server that, for each
 * endpoint, authenticates the bearer key the same way (SHA-256, one join), runs the same SQL text
 * (src/sessions/persistence/*.sql.ts) through the same `pg` pool settings and prepared statements
 * (src/database/postgres-database.ts), maps rows with the tables' own row mappers and writes the same JSON with the
 * faces' own pure mappers. The service's throughput is reported as a ratio to it.
 *
 *   DATABASE_URL=postgres://... PORT=3901 [WORKERS=N] [DATABASE_POOL_SIZE=N] node -r ts-node/register/transpile-only bench/floor-server.ts
 */
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Pool, PoolClient } from 'pg';
import { defaultPoolSize } from '../src/config/app-config';
import { Row } from '../src/database/database';
import { poolOptions, queryConfig } from '../src/database/postgres-database';
import { toAuthenticatedSession, toPagination } from '../src/dialects/authentik/authentik.mapper';
import { offsetOf, pagingHeaders, parsePaging } from '../src/dialects/movens/movens-paging';
import { toMovensUserSession, toMovensUserSessionCount } from '../src/dialects/movens/movens.mapper';
import { toSessionFetch, toSessionList } from '../src/dialects/prefactor/prefactor.mapper';
import { toHubSession } from '../src/hub/hub.mapper';
import { API_TOKEN_PREFIX, hashKey, newKey, SESSION_TOKEN_PREFIX } from '../src/sessions/credentials/keys';
import { agentFacts, deviceFingerprint, deviceInfo } from '../src/sessions/insight/client-facts';
import { TOKEN_BY_HASH_SQL, TOUCH_TOKEN_SQL, USER_BY_SESSION_TOKEN_SQL } from '../src/sessions/persistence/account.sql';
import { listStatements } from '../src/sessions/persistence/session-list.sql';
import { USERS_WITH_LIVE_COUNT_SQL, usersWithLivePageSql } from '../src/sessions/persistence/users-with-live.sql';
import {
  insertSessionStatement,
  LIVE_SESSION_BY_TOKEN_SQL,
  SESSION_BY_PFID_SQL,
  SESSION_BY_UUID_SQL,
  TOUCH_SQL,
  UPSERT_DEVICE_SQL,
} from '../src/sessions/persistence/session.sql';
import { toApiToken } from '../src/sessions/persistence/tables/api-tokens.table';
import { toNewSessionRow, toSession } from '../src/sessions/persistence/tables/sessions.table';
import { toUser, USER_SELECT } from '../src/sessions/persistence/tables/users.table';
import { generateRelatedPfid } from '../src/sessions/pfid';
import { SessionQuery } from '../src/sessions/session-query';
import { isLive, Session, User } from '../src/sessions/session.model';

const TOUCH_INTERVAL_SECONDS = Number(process.env.TOUCH_INTERVAL_SECONDS ?? 60);
const SESSION_TTL_SECONDS = 14 * 24 * 3600;

// The service's own pool settings, default size included, and statement naming (src/database/postgres-database.ts),
// on a pool of its own.
const pool = new Pool(
  poolOptions({
    url: process.env.DATABASE_URL ?? '',
    poolSize: Number(process.env.DATABASE_POOL_SIZE || defaultPoolSize()),
  }),
);

async function rows(text: string, values: unknown[], prepare = true, client: Pool | PoolClient = pool): Promise<Row[]> {
  return (await client.query(queryConfig(text, values, { prepare }))).rows as Row[];
}

async function oneUser(where: string, value: unknown): Promise<User | null> {
  const found = await rows(`SELECT ${USER_SELECT} FROM users u WHERE ${where}`, [value]);
  return found.length ? toUser(found[0]) : null;
}

interface FloorCaller {
  userId: number;
  isSuperuser: boolean;
  isOperator: boolean;
  sessionId: number | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown = { detail: 'error' },
  ) {
    super(String(status));
  }
}

/** As the service's credentials: an API token and its owner in one query, else a live session's user. */
async function authenticate(req: IncomingMessage): Promise<FloorCaller> {
  const header = req.headers.authorization ?? '';
  const key = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!key) throw new HttpError(401);
  const keyHash = hashKey(key);
  if (!key.startsWith(SESSION_TOKEN_PREFIX)) {
    const tokens = await rows(TOKEN_BY_HASH_SQL, [keyHash]);
    if (tokens.length) {
      const token = toApiToken(tokens[0]);
      const user = toUser(tokens[0]);
      if ((token.expiresAt && token.expiresAt.getTime() <= Date.now()) || !user.isActive) throw new HttpError(401);
      if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() >= TOUCH_INTERVAL_SECONDS * 1000) {
        rows(TOUCH_TOKEN_SQL, [keyHash, TOUCH_INTERVAL_SECONDS]).catch(() => undefined);
      }
      return callerOf(user, null);
    }
  }
  if (!key.startsWith(API_TOKEN_PREFIX)) {
    const sessions = await rows(USER_BY_SESSION_TOKEN_SQL, [keyHash]);
    const user = sessions.length ? toUser(sessions[0]) : null;
    if (user?.isActive) return callerOf(user, Number(sessions[0].session_id));
  }
  throw new HttpError(401);
}

function callerOf(user: User, sessionId: number | null): FloorCaller {
  return { userId: user.id, isSuperuser: user.isSuperuser, isOperator: user.isOperator, sessionId };
}

async function list(query: SessionQuery): Promise<{ items: Session[]; total: number }> {
  const { count, page, prepare, combined } = listStatements(query);
  if (combined) {
    const all = await rows(combined.text, combined.params, false);
    return { items: all.filter((r) => r.id != null).map(toSession), total: Number(all[0].total) };
  }
  const [countRows, pageRows] = await Promise.all([
    rows(count.text, count.params, prepare),
    rows(page.text, page.params, prepare),
  ]);
  const total = Number(countRows[0].n);
  if (total === 0 || query.offset >= total) return { items: [], total };
  return { items: pageRows.map(toSession), total };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

let defaultScope: { account: string; domain: string; pool: string } | null = null;
async function scope() {
  if (!defaultScope) {
    const r = await rows(`SELECT key, value FROM settings WHERE key LIKE 'default_%_id'`, [], false);
    const get = (k: string) => String(r.find((x) => x.key === k)?.value);
    defaultScope = {
      account: get('default_account_id'),
      domain: get('default_domain_id'),
      pool: get('default_pool_id'),
    };
  }
  return defaultScope;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpMatchArray) => Promise<unknown>;

const ROUTES: [string, RegExp, Handler][] = [
  [
    'GET',
    /^\/api\/v3\/core\/authenticated_sessions\/?$/,
    async (req, _res, url) => {
      const caller = await authenticate(req);
      const pageSize = Math.min(Number(url.searchParams.get('page_size') ?? 20) || 20, 100);
      const username = url.searchParams.get('user__username') || undefined;
      const search = url.searchParams.get('search');
      const page = await list({
        scope: { liveOnly: true, userIds: caller.isSuperuser ? undefined : [caller.userId] },
        filters: { username, searchTerms: search ? search.split(/[\s,]+/).filter(Boolean) : undefined },
        order: [{ field: 'username', descending: false }],
        offset: 0,
        limit: pageSize,
      });
      return {
        pagination: toPagination(1, pageSize, page.total),
        results: page.items.map((s) => toAuthenticatedSession(s, caller.sessionId)),
        autocomplete: {},
      };
    },
  ],
  [
    'GET',
    /^\/api\/v3\/core\/authenticated_sessions\/([0-9a-f-]{36})\/?$/,
    async (req, _res, _url, m) => {
      const caller = await authenticate(req);
      const found = await rows(SESSION_BY_UUID_SQL, [m[1]]);
      const session = found.length ? toSession(found[0]) : null;
      if (!session || !isLive(session) || (!caller.isSuperuser && session.userId !== caller.userId))
        throw new HttpError(404);
      return toAuthenticatedSession(session, caller.sessionId);
    },
  ],
  [
    'GET',
    /^\/api\/v1\/session\/?$/,
    async (req, _res, url) => {
      const caller = await authenticate(req);
      const poolId = url.searchParams.get('pool_id') ?? undefined;
      const page = await list({
        scope: { liveOnly: false, userIds: caller.isSuperuser ? undefined : [caller.userId], poolId },
        filters: {},
        order: [{ field: 'last_seen', descending: true }],
        offset: 0,
        limit: 20,
      });
      return toSessionList(page.items, page.total, 0, 20, { field: 'last_seen', direction: 'desc' });
    },
  ],
  [
    'GET',
    /^\/api\/v1\/session\/([0-9a-z]{32})$/,
    async (req, _res, _url, m) => {
      const caller = await authenticate(req);
      const found = await rows(SESSION_BY_PFID_SQL, [m[1]]);
      const session = found.length ? toSession(found[0]) : null;
      if (!session || (!caller.isSuperuser && session.userId !== caller.userId)) throw new HttpError(404);
      return toSessionFetch(session, isLive(session));
    },
  ],
  [
    'GET',
    /^\/api\/admin\/v1\/authenticated-sessions\/list\/?$/,
    async (req, res, url) => {
      const caller = await authenticate(req);
      if (!caller.isSuperuser && !caller.isOperator) throw new HttpError(403);
      const paging = parsePaging(Object.fromEntries(url.searchParams));
      const [countRows, pageRows] = await Promise.all([
        rows(USERS_WITH_LIVE_COUNT_SQL, []),
        rows(usersWithLivePageSql(paging.pageSize, offsetOf(paging)), [], offsetOf(paging) === 0),
      ]);
      const total = Number(countRows[0].n);
      const items =
        total === 0
          ? []
          : pageRows.map((r) => ({
              userUuid: String(r.uuid),
              username: String(r.username),
              count: Number(r.n),
              isOperator: Boolean(r.is_operator),
            }));
      for (const [k, v] of Object.entries(pagingHeaders(url.pathname, url.search.slice(1), paging, total)))
        res.setHeader(k, v);
      return items.map(toMovensUserSessionCount);
    },
  ],
  [
    'GET',
    /^\/api\/admin\/v1\/authenticated-sessions\/user-sessions\/([0-9a-fA-F-]{36})\/?$/,
    async (req, res, url, m) => {
      const caller = await authenticate(req);
      if (!caller.isSuperuser && !caller.isOperator) throw new HttpError(403);
      const paging = parsePaging(Object.fromEntries(url.searchParams));
      const user = await oneUser('u.uuid = $1', m[1].toLowerCase());
      const page = user
        ? await list({
            scope: { liveOnly: true, userIds: [user.id] },
            filters: {},
            order: [{ field: 'last_seen', descending: true }],
            offset: offsetOf(paging),
            limit: paging.pageSize,
          })
        : { items: [], total: 0 };
      for (const [k, v] of Object.entries(pagingHeaders(url.pathname, url.search.slice(1), paging, page.total)))
        res.setHeader(k, v);
      return page.items.map((s) => toMovensUserSession(s));
    },
  ],
  [
    'POST',
    /^\/api\/hub\/v1\/sessions\/validate$/,
    async (req) => {
      const body = await readBody(req);
      const found = await rows(LIVE_SESSION_BY_TOKEN_SQL, [hashKey(String(body.token))]);
      if (!found.length) throw new HttpError(401);
      const session = toSession(found[0]);
      if (Date.now() - session.lastSeen.at.getTime() >= TOUCH_INTERVAL_SECONDS * 1000) {
        const touched = await rows(TOUCH_SQL, [session.id, TOUCH_INTERVAL_SECONDS]);
        if (touched.length) session.lastSeen = { ...session.lastSeen, at: touched[0].last_seen_at as Date };
      }
      return toHubSession(session);
    },
  ],
  [
    'POST',
    /^\/api\/hub\/v1\/sessions$/,
    async (req, res) => {
      const caller = await authenticate(req);
      if (!caller.isSuperuser) throw new HttpError(403);
      const body = await readBody(req);
      const user = await oneUser('u.username = $1', String(body.user));
      if (!user) throw new HttpError(404);
      const userAgent = typeof body.userAgent === 'string' ? body.userAgent : '';
      const ip = String(body.ip);
      const device = deviceInfo(undefined);
      const agent = agentFacts(userAgent);
      const { account, domain, pool: poolId } = await scope();
      const key = newKey(SESSION_TOKEN_PREFIX);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const devices = await rows(
          UPSERT_DEVICE_SQL,
          [generateRelatedPfid(account), user.id, deviceFingerprint(userAgent, device)],
          true,
          client,
        );
        const insert = insertSessionStatement({
          ...toNewSessionRow({
            uuid: randomUUID(),
            pfid: generateRelatedPfid(account),
            tokenHash: hashKey(key),
            user,
            status: 'authenticated',
            sessionType: 'browser',
            accountId: account,
            domainId: domain,
            poolId,
            title: agent.title,
            ip,
            userAgent,
            loggedInAt: new Date(),
            absoluteExpiresAt: new Date(Date.now() + SESSION_TTL_SECONDS * 1000),
            idleSeconds: null,
            device,
            deviceClass: agent.deviceClass,
            parsedUserAgent: agent.parsed,
            geo: null,
            asn: null,
          }),
          device_id: String(devices[0].pfid),
        });
        const inserted = await rows(insert.text, insert.params, true, client);
        await client.query('COMMIT');
        res.statusCode = 201;
        return { ...toHubSession(toSession(inserted[0])), token: key };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  ],
];

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://floor');
  let body: unknown;
  try {
    let handled = false;
    for (const [method, pattern, handler] of ROUTES) {
      const match = req.method === method ? url.pathname.match(pattern) : null;
      if (!match) continue;
      res.statusCode = 200;
      body = await handler(req, res, url, match);
      handled = true;
      break;
    }
    if (!handled) throw new HttpError(404);
  } catch (error) {
    // A client that hangs up mid-request (autocannon stopping) is not the floor's error.
    if ((error as { code?: string }).code === 'ECONNRESET') return;
    if (!(error instanceof HttpError)) console.error(error);
    res.statusCode = error instanceof HttpError ? error.status : 500;
    body = error instanceof HttpError ? error.body : { detail: 'error' };
  }
  const text = JSON.stringify(body);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function serve(): void {
  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 72_000;
  server.listen(Number(process.env.PORT ?? 3901), '0.0.0.0');
}

const workers = Number(process.env.WORKERS ?? 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  serve();
}
