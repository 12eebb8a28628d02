import 'reflect-metadata';
import { AppConfig, loadConfig } from '../config/app-config';
import { Database } from '../database/database';
import { migrate } from '../database/migrate';
import { openDatabase } from '../database/open-database';
import { DefaultScopes } from '../sessions/accounts/default-scopes';
import { EventStore } from '../sessions/persistence/event.store';
import { SessionStore } from '../sessions/persistence/session.store';
import { RandomSource } from './seed-data';
import {
  analyze,
  countRows,
  insertUsers,
  nextSessionIds,
  pendingRestore,
  restore,
  RestorePlan,
  restoreSteps,
  SEEDED_TABLES,
  setAside,
  writeBatch,
} from './seed/bulk-load';
import { Progress, ProgressOptions } from './seed/progress';
import { Scope, seedPeople, seedScopes, SeedUser, SessionMaker } from './seed/population';

/**
 * `npm run seed`: fills the configured database (DATABASE_URL, or embedded PGlite in DATA_DIR) with users, devices,
 * sessions and their events. What is written is decided in seed/population.ts; how, in seed/bulk-load.ts.
 */

export interface SeedOptions {
  users: number;
  sessions: number;
  /** Prefactor accounts; the first is the installation's default account. */
  accounts: number;
  /** Sessions per INSERT statement. */
  batch: number;
  /** A line at the end of each phase. */
  log: (line: string) => void;
  /** Where a progress line goes every few seconds while the seed runs; none without. */
  progress?: ProgressOptions;
}

export interface SeedReport {
  users: number;
  sessions: number;
  events: number;
  devices: number;
  seconds: number;
}

/** Below this many sessions (or when the tables already hold more), rows go in through the indexes. */
const BULK_LOAD_MIN_SESSIONS = 50000;
/** Users per INSERT statement. */
const USER_BATCH = 5000;

/** Fills the configured database with users, devices, sessions and their events. */
export async function seed(config: AppConfig, options: SeedOptions): Promise<SeedReport> {
  const progress = new Progress(options.progress);
  try {
    progress.phase('opening the database and applying migrations');
    const db = await openDatabase(config);
    try {
      return await fill(db, options, progress);
    } finally {
      await db.close();
    }
  } finally {
    await progress.close();
  }
}

async function fill(db: Database, options: SeedOptions, progress: Progress): Promise<SeedReport> {
  const log = (line: string) => options.log(`${line} (${progress.elapsed().toFixed(1)} s)`);
  await migrate(db);
  const random = new RandomSource();
  const now = Date.now() / 1000;
  const scopes = seedScopes(await defaultScope(db), Math.max(1, options.accounts));
  const users = await addUsers(db, options.users, scopes, random, now, progress);
  log(`users: ${users.length}`);

  const earlier = await pendingRestore(db);
  if (earlier) {
    log('an earlier bulk load was interrupted: restoring the indexes and constraints it set aside');
    await restoreWithProgress(db, earlier, true, progress);
  }
  // A large load into a small table builds the indexes and constraints once at the end; smaller loads into a big
  // table write through them.
  const existing = await countRows(db, 'sessions');
  const bulk = options.sessions >= BULK_LOAD_MIN_SESSIONS && options.sessions >= existing;
  const plan = bulk ? await setAside(db) : null;
  if (plan) log(`bulk load: ${plan.indexes.length} indexes and ${plan.constraints.length} constraint steps set aside`);

  const maker = new SessionMaker(users, scopes, random, now);
  const started = progress.elapsed();
  await addSessions(db, maker, options, progress);
  const rate = options.sessions / Math.max(progress.elapsed() - started, 1e-3);
  log(`sessions: ${options.sessions} written, ${Math.round(rate)} sessions/s`);
  if (plan) {
    await restoreWithProgress(db, plan, false, progress);
    log('indexes and constraints restored');
  }
  progress.phase('tables analyzed', SEEDED_TABLES.length);
  for (const table of SEEDED_TABLES) {
    await analyze(db, table);
    progress.add(1);
  }
  log('analyzed');
  // The event history's totals count from the checkpoint on: the loaded events are counted once, here.
  await new EventStore(db).advanceCountCheckpoint();
  return {
    users: users.length,
    sessions: options.sessions,
    events: await countRows(db, 'session_events'),
    devices: maker.deviceCount,
    seconds: progress.elapsed(),
  };
}

/** The installation's default account, domain and pool, as the service makes and keeps them. */
async function defaultScope(db: Database): Promise<{ account: string; domain: string; pool: string }> {
  const scopes = new DefaultScopes(new SessionStore(db));
  return { account: await scopes.get('account'), domain: await scopes.get('domain'), pool: await scopes.get('pool') };
}

async function addUsers(
  db: Database,
  count: number,
  scopes: Scope[],
  random: RandomSource,
  now: number,
  progress: Progress,
): Promise<SeedUser[]> {
  const made: SeedUser[] = [];
  // Numbering starts after the users already there, so a second run adds new people instead of colliding.
  let serial = await countRows(db, 'users');
  progress.phase('users', count);
  while (made.length < count) {
    const want = Math.min(USER_BATCH, count - made.length);
    const people = seedPeople(serial, want, scopes, random, now);
    serial += want;
    const ids = await insertUsers(
      db,
      people.map((p) => p.row),
    );
    for (const { row, scope } of people) {
      const id = ids.get(row.username);
      if (id !== undefined) made.push({ id, username: row.username, pfid: row.pfid, scope });
    }
    progress.add(ids.size);
  }
  return made;
}

/** Batch after batch, two in flight: the database writes one while this process builds the next. */
async function addSessions(db: Database, maker: SessionMaker, options: SeedOptions, progress: Progress) {
  progress.phase('sessions', options.sessions);
  const inFlight: Promise<void>[] = [];
  for (let planned = 0; planned < options.sessions;) {
    const n = Math.min(options.batch, options.sessions - planned);
    const batch = maker.batch(await nextSessionIds(db, n));
    const written = writeBatch(db, batch).then(() => progress.add(n));
    // Awaited below; until then a failure must not count as unhandled.
    written.catch(() => undefined);
    inFlight.push(written);
    if (inFlight.length >= 2) await inFlight.shift();
    planned += n;
  }
  await Promise.all(inFlight);
}

async function restoreWithProgress(db: Database, plan: RestorePlan, resuming: boolean, progress: Progress) {
  progress.phase('indexes and constraints restored', restoreSteps(plan));
  await restore(db, plan, resuming, () => progress.add(1));
}

const USAGE =
  'usage: npm run seed -- [--users N] [--sessions N] [--accounts N] [--batch N] [--progress SECONDS (0: none)]';

type Args = Omit<SeedOptions, 'log' | 'progress'> & { progress: number };

function parseArgs(argv: string[]): Args | null {
  const options: Args = { users: 1000, sessions: 100000, accounts: 3, batch: 10000, progress: 2 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') return null;
    const name = argv[i].replace(/^--/, '');
    if (!(name in options) || argv[i + 1] === undefined) throw new Error(`${USAGE}  (unknown: ${argv[i]})`);
    const value = Number(argv[++i]);
    const least = name === 'sessions' || name === 'progress' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new Error(`--${name} must be an integer of at least ${least}`);
    }
    options[name as keyof Args] = value;
  }
  return options;
}

if (require.main === module) {
  (async () => {
    const args = parseArgs(process.argv.slice(2));
    if (!args) return console.log(USAGE);
    const config = loadConfig();
    const report = await seed(config, {
      ...args,
      log: (line) => console.log(line),
      progress: args.progress > 0 ? { fd: process.stdout.fd, everySeconds: args.progress } : undefined,
    });
    console.log(
      `Seeded ${report.users} users, ${report.devices} devices, ${report.sessions} sessions ` +
        `(${report.events} events in total) in ${report.seconds.toFixed(1)} s ` +
        `on ${config.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${config.DATA_DIR}`}.`,
    );
  })().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
