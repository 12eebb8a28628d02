import { randomUUID } from 'node:crypto';
import { hashKey, SESSION_TOKEN_PREFIX } from '../../sessions/credentials/keys';
import { agentFacts, deviceFingerprint, deviceInfo } from '../../sessions/insight/client-facts';
import { DeviceRow } from '../../sessions/persistence/tables/devices.table';
import { SessionEventRow } from '../../sessions/persistence/tables/session-events.table';
import { DEVICE_COLUMNS, deviceColumns, SessionRow } from '../../sessions/persistence/tables/sessions.table';
import { UserRow } from '../../sessions/persistence/tables/users.table';
import { generatePfid, generateRelatedPfid } from '../../sessions/pfid';
import { Face, SessionStatus } from '../../sessions/session.model';
import {
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  publicIpv4,
  publicIpv6,
  RandomSource,
  WeightedPicker,
} from '../seed-data';
import { AgentKind, SEED_AGENTS, SeedAgent } from './agents';

/**
 * What the seed writes, decided in memory and nowhere else: which people in which accounts, which devices, and
 * which sessions with which agents, addresses, times, statuses and events. Nothing here touches the database;
 * bulk-load.ts writes the rows these functions return. Times are in seconds (floats) until they become rows.
 */

const DAY = 86400;
const LIVE_TTL_SECONDS: Record<'browser' | 'app' | 'api', number> = { browser: 14 * DAY, app: 90 * DAY, api: 30 * DAY };
/** Who revokes a session, by its id: spread evenly over the faces. */
const REVOKING_FACES: Face[] = ['authentik', 'prefactor', 'movens', 'hub'];

/** A Prefactor account with its domain and pools. */
export interface Scope {
  account: string;
  domain: string;
  pools: string[];
}

/** The installation's default account (as the service stored it) plus `count - 1` more, each with two pools. */
export function seedScopes(defaults: { account: string; domain: string; pool: string }, count: number): Scope[] {
  const scopes: Scope[] = [
    {
      account: defaults.account,
      domain: defaults.domain,
      pools: [defaults.pool, generateRelatedPfid(defaults.account)],
    },
  ];
  for (let i = 1; i < count; i++) {
    const other = generatePfid();
    scopes.push({
      account: other,
      domain: generateRelatedPfid(other),
      pools: [generateRelatedPfid(other), generateRelatedPfid(other)],
    });
  }
  return scopes;
}

/** The user columns the database fills with its defaults: everything else the seed decides. */
export const USER_COLUMNS_DEFAULTED = [
  'id',
  'uuid',
  'is_superuser',
  'is_active',
  'max_sessions',
] as const satisfies (keyof UserRow)[];
export type NewUserRow = Omit<UserRow, (typeof USER_COLUMNS_DEFAULTED)[number]>;

/** A person to add, and the scope (index into the scopes) they belong to. */
export interface NewPerson {
  row: NewUserRow;
  scope: number;
}

/**
 * `count` people numbered on from `serial` (the users already there, so a second run adds new names instead of
 * colliding). Most belong to the default account; the rest spread over the others.
 */
export function seedPeople(
  serial: number,
  count: number,
  scopes: Scope[],
  random: RandomSource,
  now: number,
): NewPerson[] {
  const combos = FIRST_NAMES.length * LAST_NAMES.length;
  const people: NewPerson[] = [];
  for (let n = serial; n < serial + count; n++) {
    const first = FIRST_NAMES[n % FIRST_NAMES.length];
    const last = LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length];
    const round = Math.floor(n / combos);
    const username = round === 0 ? `${first}.${last}` : `${first}.${last}${round + 1}`;
    const scope = scopes.length === 1 || random.next() < 0.6 ? 0 : 1 + random.int(scopes.length - 1);
    people.push({
      row: {
        username,
        name: `${capitalised(first)} ${capitalised(last)}`,
        email: `${username}@${EMAIL_DOMAINS[n % EMAIL_DOMAINS.length]}`,
        is_operator: random.next() < 0.02,
        pfid: generateRelatedPfid(scopes[scope].account),
        created_at: new Date((now - (30 + random.next() * 700) * DAY) * 1000),
      },
      scope,
    });
  }
  return people;
}

function capitalised(word: string): string {
  return word[0].toUpperCase() + word.slice(1);
}

/** A person as stored: the id the database gave them, and what their sessions repeat. */
export interface SeedUser {
  id: number;
  username: string;
  pfid: string;
  scope: number;
}

/**
 * The session columns that follow from the agent alone. They are computed once per agent and travel once per batch
 * as a small table the sessions index into, instead of once per session (the parsed agent alone is ~300 bytes).
 */
export const AGENT_COLUMNS = [
  'title',
  'first_user_agent',
  'last_user_agent',
  ...DEVICE_COLUMNS,
  'device_class',
  'user_agent_parsed',
] as const satisfies (keyof SessionRow)[];
export type AgentColumns = Pick<SessionRow, (typeof AGENT_COLUMNS)[number]>;

/** A session: every other column of its row, and its agent's (1-based) position in the batch's `agents`. */
export type SeedSession = Omit<SessionRow, (typeof AGENT_COLUMNS)[number]> & { agent: number };

export type NewEventRow = Omit<SessionEventRow, 'id' | 'session_uuid'>;

/** One batch of rows: the devices first used in it, its sessions with their agents' columns, and their events. */
export interface SeedBatch {
  devices: DeviceRow[];
  sessions: SeedSession[];
  agents: readonly AgentColumns[];
  events: NewEventRow[];
}

/** A seed agent with what the service derives from it at login, computed once per agent instead of per session. */
interface Agent extends SeedAgent {
  columns: AgentColumns;
  fingerprint: string;
  sessionType: SessionRow['session_type'];
  ttl: number;
}

function profile(agent: SeedAgent): Agent {
  const info = deviceInfo(agent.device);
  const facts = agentFacts(agent.ua);
  const api = agent.kind === 'bot' || agent.kind === 'cli';
  return {
    ...agent,
    columns: {
      title: facts.title,
      // A seeded session keeps one agent from first to last.
      first_user_agent: agent.ua,
      last_user_agent: agent.ua,
      ...deviceColumns(info),
      device_class: facts.deviceClass,
      user_agent_parsed: facts.parsed,
    },
    fingerprint: deviceFingerprint(agent.ua, info),
    sessionType: api ? 'api' : 'browser',
    ttl: ttlOf(agent.kind),
  };
}

function ttlOf(kind: AgentKind): number {
  if (kind === 'app') return LIVE_TTL_SECONDS.app;
  return kind === 'bot' || kind === 'cli' ? LIVE_TTL_SECONDS.api : LIVE_TTL_SECONDS.browser;
}

/** A user's habits: a few home addresses and devices, and a share of all sessions (some people log in a lot). */
interface Habits {
  user: SeedUser;
  ips: string[];
  agents: number[];
  weight: number;
}

/** How a session ended, if it did. */
interface Life {
  status: SessionStatus;
  created: number;
  ended: number | null;
  endedBy: number | null;
}

/** Makes sessions batch by batch; one device per (user, agent), made on first use, related to the user's account. */
export class SessionMaker {
  private readonly agents = SEED_AGENTS.map(profile);
  private readonly agentColumns = this.agents.map((a) => a.columns);
  private readonly agentPicker = new WeightedPicker(SEED_AGENTS.map((a) => a.weight));
  private readonly habits: Habits[];
  private readonly userPicker: WeightedPicker;
  /** Operators revoke other people's sessions; without any, people revoke their own. */
  private readonly revokers: number[];
  private readonly devices = new Map<string, string>();

  constructor(
    users: SeedUser[],
    private readonly scopes: Scope[],
    private readonly random: RandomSource,
    private readonly now: number,
  ) {
    this.habits = users.map((user) => ({
      user,
      ips: Array.from({ length: 1 + random.int(3) }, () =>
        random.next() < 0.75 ? publicIpv4(random) : publicIpv6(random),
      ),
      agents: Array.from({ length: 1 + random.int(3) }, () => this.agentPicker.pick(random)),
      weight: Math.exp(random.normal()),
    }));
    this.userPicker = new WeightedPicker(this.habits.map((h) => h.weight));
    this.revokers = users.filter((_, i) => i % 50 === 0).map((u) => u.id);
  }

  get deviceCount(): number {
    return this.devices.size;
  }

  /** One session per id (ids the database allocated), with its events and the devices it is the first to use. */
  batch(ids: readonly number[]): SeedBatch {
    const batch: SeedBatch = { devices: [], sessions: [], agents: this.agentColumns, events: [] };
    const endings: NewEventRow[] = [];
    for (const id of ids) {
      const session = this.session(id, batch.devices);
      batch.sessions.push(session);
      batch.events.push({
        session_id: id,
        user_id: session.user_id,
        kind: 'created',
        reason: null,
        detail: null,
        actor_user_id: null,
        face: 'hub',
        at: session.created_at,
        ip: session.first_ip,
        user_agent: this.agentColumns[session.agent - 1].first_user_agent,
      });
      if (session.ended_at) endings.push(endingEvent(session));
    }
    batch.events.push(...endings);
    return batch;
  }

  private session(id: number, newDevices: DeviceRow[]): SeedSession {
    const random = this.random;
    const habits = this.habits[this.userPicker.pick(random)];
    const { user } = habits;
    const agentIndex = random.next() < 0.9 ? random.pick(habits.agents) : this.agentPicker.pick(random);
    const agent = this.agents[agentIndex];
    const life = this.life(agent.ttl, user.id);
    const expires = life.created + agent.ttl;
    const lastLimit = Math.min(this.now, life.ended ?? expires);
    // Activity clusters near the end of a session's life.
    const lastSeen = life.created + (lastLimit - life.created) * Math.sqrt(random.next());
    const firstIp = random.next() < 0.9 ? random.pick(habits.ips) : publicIpv4(random);
    const scope = this.scopes[user.scope];
    const createdMs = Math.floor(life.created * 1000);
    return {
      id,
      uuid: randomUUID(),
      pfid: generateRelatedPfid(scope.account, createdMs),
      // A real random key, hashed as the login call does; the key itself is thrown away.
      token_hash: hashKey(SESSION_TOKEN_PREFIX + random.bytes(32).toString('base64url')),
      user_id: user.id,
      username: user.username,
      status: life.status,
      session_type: agent.sessionType,
      account_id: scope.account,
      domain_id: scope.domain,
      pool_id: scope.pools[random.int(scope.pools.length)],
      identity_id: user.pfid,
      device_id: this.device(user, agentIndex, createdMs, newDevices),
      created_at: new Date(life.created * 1000),
      first_seen_at: new Date(life.created * 1000),
      first_ip: firstIp,
      last_seen_at: new Date(lastSeen * 1000),
      last_ip: this.lastIp(firstIp, habits.ips),
      expires_at: new Date(expires * 1000),
      absolute_expires_at: null,
      idle_seconds: null,
      ended_at: life.ended === null ? null : new Date(life.ended * 1000),
      ended_by: life.endedBy,
      geo: null,
      asn: null,
      agent: agentIndex + 1,
    };
  }

  /** Status mix: mostly live; a few just expired and not yet swept; swept as expired; logged out; revoked. */
  private life(ttl: number, userId: number): Life {
    const { random, now } = this;
    const r = random.next();
    if (r < 0.78) {
      const status = r < 0.03 ? 'new' : r < 0.06 ? 'unauthenticated' : 'authenticated';
      return { status, created: now - random.next() * ttl * 0.98, ended: null, endedBy: null };
    }
    if (r < 0.781) {
      // Expired within the last five minutes: the sweeper (every five minutes) has not marked them yet.
      return { status: 'authenticated', created: now - ttl - random.next() * 300, ended: null, endedBy: null };
    }
    if (r < 0.88) {
      const created = now - ttl - (2 + random.next() * 25) * DAY;
      return { status: 'complete', created, ended: created + ttl, endedBy: null };
    }
    const status = r < 0.94 ? 'complete' : 'revoked';
    const created = now - random.next() * 28 * DAY;
    const ended = created + random.next() * Math.min(ttl, now - created);
    const byOwner = status === 'complete' || this.revokers.length === 0 || random.next() < 0.4;
    return { status, created, ended, endedBy: byOwner ? userId : random.pick(this.revokers) };
  }

  private lastIp(firstIp: string, ips: string[]): string {
    const random = this.random;
    if (random.next() < 0.8) return firstIp;
    if (random.next() < 0.5) return random.pick(ips);
    return random.next() < 0.7 ? publicIpv4(random) : publicIpv6(random);
  }

  private device(user: SeedUser, agentIndex: number, createdMs: number, newDevices: DeviceRow[]): string {
    const key = `${user.id}:${agentIndex}`;
    let pfid = this.devices.get(key);
    if (!pfid) {
      pfid = generateRelatedPfid(this.scopes[user.scope].account, createdMs);
      this.devices.set(key, pfid);
      const fingerprint = this.agents[agentIndex].fingerprint;
      newDevices.push({ pfid, user_id: user.id, fingerprint, created_at: new Date(createdMs) });
    }
    return pfid;
  }
}

/** How an ended session's end is recorded: revoked by someone on some face, expired, or ended by its owner. */
function endingEvent(session: SeedSession): NewEventRow {
  const revoked = session.status === 'revoked';
  const expired = session.ended_by === null;
  return {
    session_id: session.id,
    user_id: session.user_id,
    kind: revoked ? 'revoked' : expired ? 'expired' : 'ended',
    reason: revoked ? 'revoke' : expired ? 'expiry' : 'logout',
    detail: null,
    actor_user_id: session.ended_by,
    face: revoked ? REVOKING_FACES[session.id % REVOKING_FACES.length] : expired ? 'system' : 'hub',
    at: session.ended_at!,
    ip: null,
    user_agent: null,
  };
}
