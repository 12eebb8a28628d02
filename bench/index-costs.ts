/**
 * `npm run bench:index-costs`: what the indexes cost a login. On the bench's database (seeded by `npm run bench`),
 * one connection runs the service's own login statement (`loginsStatement`, LOGINS_PER_STATEMENT logins of different
 * users each, as under load) for BENCH_INDEX_LOGINS logins inside a transaction that is rolled back: once with every
 * index, once with a group of them dropped (`DROP INDEX`, or `DROP CONSTRAINT` for those behind a constraint),
 * alternating, BENCH_INDEX_ROUNDS times. A group's cost is the difference of the medians, per login, in the
 * backend's CPU time (/proc/<backend pid>/stat when PostgreSQL runs on this machine; the statements' wall time
 * otherwise). Groups, because one index costs less than this machine's noise (±30 µs per login); they follow what
 * reads them (docs/indexes.md), and BENCH_INDEX_EACH adds each index alone. Nothing stays: every run rolls back, and
 * the tables are vacuumed and their indexes rebuilt at the end.
 *
 *   BENCH_INDEX_ROUNDS=5 BENCH_INDEX_LOGINS=2000 npm run bench:index-costs
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { hashKey, newKey, SESSION_TOKEN_PREFIX } from '../src/sessions/credentials/keys';
import { agentFacts, deviceFingerprint, deviceInfo } from '../src/sessions/insight/client-facts';
import { LoginWrite, loginsStatement } from '../src/sessions/persistence/session.sql';
import { toNewSessionRow } from '../src/sessions/persistence/tables/sessions.table';
import { generatePfid, generateRelatedPfid } from '../src/sessions/pfid';
import { SEED_AGENTS } from '../src/cli/seed/agents';
import { publicIpv4, RandomSource } from '../src/cli/seed-data';
import { CHURNED_TABLES, rebuildChurnedTables } from './data';
import { stats } from './service-run';
import { DATABASE_URL, log, setting } from './settings';

const ROUNDS = Number(setting('BENCH_INDEX_ROUNDS', '5', 'rounds of (every index, a group dropped) per group'));
const MEASURED_LOGINS = Number(setting('BENCH_INDEX_LOGINS', '2000', 'logins per measurement'));
const EACH = setting('BENCH_INDEX_EACH', '', 'set: also each index alone (each is within the noise here)') !== '';
const LOGINS_PER_STATEMENT = 32;

interface Index {
  name: string;
  table: string;
  bytes: number;
  /** The constraint it backs, dropped instead of the index (its uniqueness is what a login pays for). */
  constraint: string | null;
}

/** Indexes dropped together: one index costs less than this machine's noise (±30 µs), a group more. */
interface Group {
  name: string;
  indexes: Index[];
}

interface Measured {
  group: Group;
  withIndex: number;
  without: number;
}

/** Each group's members, by what reads them (docs/indexes.md). */
const GROUPS: [string, (name: string) => boolean][] = [
  [
    'Prefactor orderings (pool, account, unscoped)',
    (n) => /^sessions_(pool|account)_|^sessions_(last_seen|status|title)$/.test(n),
  ],
  [
    'authentik orderings and filters (live sessions)',
    (n) => /^sessions_live_/.test(n) && n !== 'sessions_live_search_agent_ip',
  ],
  ['search trigram index', (n) => n === 'sessions_live_search_agent_ip'],
  ['sessions by user (all statuses), ended', (n) => n === 'sessions_user_id' || n === 'sessions_ended_at'],
  ['event history (filters)', (n) => /^session_events_/.test(n) && n !== 'session_events_pkey'],
];

/** The groups, every index no constraint needs at once, the sessions' unique keys, and with BENCH_INDEX_EACH each index. */
function groupsOf(indexes: Index[]): Group[] {
  const unconstrained = indexes.filter((index) => !index.constraint);
  const groups: Group[] = GROUPS.map(([name, member]) => ({
    name,
    indexes: unconstrained.filter((i) => member(i.name)),
  }));
  groups.push({ name: `all ${unconstrained.length} indexes no constraint needs`, indexes: unconstrained });
  groups.push({
    name: "sessions' unique keys (uuid, pfid, token hash)",
    indexes: indexes.filter((i) => i.table === 'sessions' && i.constraint && !i.name.endsWith('_pkey')),
  });
  if (EACH) groups.push(...indexes.map((index) => ({ name: index.name, indexes: [index] })));
  return groups.filter((group) => group.indexes.length > 0);
}

interface Scope {
  account: string;
  domain: string;
  pool: string;
}

async function main(): Promise<void> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await db.query(`SET jit = off`);
    const backend = (await db.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
    const cpuOf = backendCpu(backend);
    log(cpuOf ? `measuring the backend's CPU (pid ${backend})` : `PostgreSQL is not on this machine: wall time`);
    const users = (await db.query(`SELECT id, username, pfid FROM users ORDER BY id LIMIT 2000`)).rows;
    const settings = (await db.query(`SELECT key, value FROM settings WHERE key LIKE 'default_%_id'`)).rows;
    const get = (key: string) => String(settings.find((s) => s.key === key)?.value);
    const scope: Scope = {
      account: get('default_account_id'),
      domain: get('default_domain_id'),
      pool: get('default_pool_id'),
    };
    const indexes = await loginIndexes(db);
    log(
      `${indexes.length} indexes on ${CHURNED_TABLES.join(', ')}; ${MEASURED_LOGINS} logins per measurement, ${ROUNDS} rounds`,
    );

    const random = new RandomSource();
    let next = 0;
    const nextLogins = (): LoginWrite[] =>
      Array.from({ length: LOGINS_PER_STATEMENT }, () => login(users[next++ % users.length], scope, random));
    const runLogins = () => {
      const { text, params } = loginsStatement(nextLogins());
      return db.query(text, params);
    };
    /**
     * CPU (or wall) microseconds per login for MEASURED_LOGINS logins, after `setup`, all rolled back. Not prepared,
     * on either side: each statement is planned with the indexes there are.
     */
    const measure = async (setup: string): Promise<number> => {
      await db.query('BEGIN');
      try {
        await db.query(setup);
        await runLogins();
        const startCpu = cpuOf?.() ?? 0;
        const startWall = process.hrtime.bigint();
        let logins = 0;
        while (logins < MEASURED_LOGINS) {
          await runLogins();
          logins += LOGINS_PER_STATEMENT;
        }
        const wallUs = Number(process.hrtime.bigint() - startWall) / 1000;
        const us = cpuOf ? (cpuOf() - startCpu) * 1e6 : wallUs;
        return us / logins;
      } finally {
        await db.query('ROLLBACK');
      }
    };
    const baseline = () => measure(`SELECT 1`);
    await baseline();
    await baseline();

    const results: Measured[] = [];
    for (const group of groupsOf(indexes)) {
      const drop = group.indexes
        .map((index) =>
          index.constraint
            ? `ALTER TABLE ${index.table} DROP CONSTRAINT ${index.constraint} CASCADE`
            : `DROP INDEX ${index.name}`,
        )
        .join('; ');
      const withIndex: number[] = [];
      const without: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Each side first in turn, so drift over the run falls on both.
        if (round % 2 === 0) {
          withIndex.push(await baseline());
          without.push(await measure(drop));
        } else {
          without.push(await measure(drop));
          withIndex.push(await baseline());
        }
      }
      const result = { group, withIndex: stats(withIndex).median, without: stats(without).median };
      results.push(result);
      log(
        `${group.name}: ${result.withIndex.toFixed(0)} → ${result.without.toFixed(0)} µs per login without it ` +
          `(${(result.withIndex - result.without).toFixed(1)})`,
      );
    }
    printTable(results, cpuOf ? 'backend CPU' : 'wall time');
  } finally {
    // The rolled-back rows left an entry in every index they met: rebuilt, the indexes are as the seed left them
    // (without this, one run doubled the sessions' indexes and slowed later bench runs). About 75 s at 1M sessions.
    log('vacuuming and rebuilding the indexes');
    await rebuildChurnedTables(db, log);
    await db.end();
  }
}

/** Every index on the tables a login writes, largest first. */
async function loginIndexes(db: Client): Promise<Index[]> {
  const { rows } = await db.query(
    `SELECT i.relname AS name, t.relname AS "table", pg_relation_size(i.oid)::float8 AS bytes,
       c.conname AS "constraint"
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u')
     WHERE t.relname = ANY($1)
       -- The login's ON CONFLICT needs this one: without it the statement is refused, not cheaper.
       AND i.relname <> 'devices_user_id_fingerprint_key'
     ORDER BY t.relname <> 'sessions', pg_relation_size(i.oid) DESC`,
    [CHURNED_TABLES],
  );
  return rows as Index[];
}

/** A login as the service writes it: a new session on a new device, from a public address. */
function login(user: { id: number; username: string; pfid: string }, scope: Scope, random: RandomSource): LoginWrite {
  const agent = SEED_AGENTS[random.int(SEED_AGENTS.length)];
  const facts = agentFacts(agent.ua);
  const device = deviceInfo(undefined);
  return {
    row: toNewSessionRow({
      uuid: randomUUID(),
      pfid: generateRelatedPfid(scope.account),
      tokenHash: hashKey(newKey(SESSION_TOKEN_PREFIX)),
      user,
      status: 'authenticated',
      sessionType: 'browser',
      accountId: scope.account,
      domainId: scope.domain,
      poolId: scope.pool,
      title: facts.title,
      ip: publicIpv4(random),
      userAgent: agent.ua,
      loggedInAt: new Date(),
      absoluteExpiresAt: new Date(Date.now() + 14 * 24 * 3600 * 1000),
      idleSeconds: null,
      device,
      deviceClass: facts.deviceClass,
      parsedUserAgent: facts.parsed,
      geo: null,
      asn: null,
    }),
    device: { fingerprint: deviceFingerprint(`${agent.ua} ${randomUUID()}`, device), newPfid: generatePfid() },
  };
}

/** The backend's user+system CPU seconds so far, read from /proc; undefined when it is not on this machine. */
function backendCpu(pid: number): (() => number) | undefined {
  const read = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime and stime, in clock ticks of 1/100 s
  };
  try {
    read();
    return read;
  } catch {
    return undefined;
  }
}

function printTable(results: Measured[], measure: string): void {
  const all = stats(results.map((r) => r.withIndex)).median;
  console.log(
    `\n${MEASURED_LOGINS} logins per measurement, ${ROUNDS} rounds, ${measure}; ` +
      `the login statement with every index: ${all.toFixed(0)} µs per login\n`,
  );
  console.log(`| indexes dropped | how many | their size | µs per login | share of the statement |`);
  console.log(`|---|---:|---:|---:|---:|`);
  for (const { group, withIndex, without } of results) {
    const cost = withIndex - without;
    console.log(
      `| ${group.name} | ${group.indexes.length} | ${(group.indexes.reduce((sum, i) => sum + i.bytes, 0) / 2 ** 20).toFixed(0)} MB | ` +
        `${cost.toFixed(0)} | ${((100 * cost) / withIndex).toFixed(0)} % |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
