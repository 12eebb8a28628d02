import { Database, Queryable } from '../../database/database';
import { DEVICES } from '../../sessions/persistence/tables/devices.table';
import { SESSION_EVENTS } from '../../sessions/persistence/tables/session-events.table';
import { SessionRow, SESSIONS } from '../../sessions/persistence/tables/sessions.table';
import { columnArrays, insertArrays, Table } from '../../sessions/persistence/tables/table';
import { USERS } from '../../sessions/persistence/tables/users.table';
import { AGENT_COLUMNS, NewUserRow, SeedBatch, USER_COLUMNS_DEFAULTED } from './population';

/**
 * How the seed writes what population.ts decided: one `INSERT ... SELECT FROM unnest(...)` per table and batch,
 * with the column lists and types of the tables' one definition (src/sessions/persistence/tables), and, for a large
 * load, the indexes and constraints set aside first and built again at the end.
 */

/** A table's columns but those the database fills itself. */
function columnsOf<Row>(table: Table<Row>, defaulted: readonly (keyof Row)[] = []): (keyof Row & string)[] {
  return (Object.keys(table.columns) as (keyof Row & string)[]).filter((column) => !defaulted.includes(column));
}

const USER_COLUMNS = columnsOf(USERS, USER_COLUMNS_DEFAULTED);
const INSERT_USERS = `${insertArrays(USERS, USER_COLUMNS)} ON CONFLICT (username) DO NOTHING RETURNING id, username`;
const DEVICE_COLUMNS = columnsOf(DEVICES);
const INSERT_DEVICES = `${insertArrays(DEVICES, DEVICE_COLUMNS)} ON CONFLICT (user_id, fingerprint) DO NOTHING`;
/** Every column, the id too: ids come from the table's sequence first, so the events can name their sessions. */
const SESSION_COLUMNS = columnsOf(SESSIONS);
const ROW_COLUMNS = columnsOf(SESSIONS, AGENT_COLUMNS);
const isAgentColumn = (column: keyof SessionRow) => (AGENT_COLUMNS as readonly string[]).includes(column);
const arraysOf = (columns: readonly (keyof SessionRow)[], first: number) =>
  columns.map((column, i) => `$${first + i}::${SESSIONS.columns[column]}[]`).join(', ');

/**
 * A batch of sessions: each row's own columns as one array per column (`r`, with the row's agent position), joined
 * to the batch's agent table (`a`, one array per agent column). Every column and type is the table definition's.
 */
const INSERT_SESSIONS = `INSERT INTO ${SESSIONS.name} (${SESSION_COLUMNS.join(', ')})
  SELECT ${SESSION_COLUMNS.map((column) => (isAgentColumn(column) ? 'a.' : 'r.') + column).join(', ')}
  FROM unnest(${arraysOf(ROW_COLUMNS, 1)}, $${ROW_COLUMNS.length + 1}::int[]) AS r(${ROW_COLUMNS.join(', ')}, agent)
  JOIN unnest(${arraysOf(AGENT_COLUMNS, ROW_COLUMNS.length + 2)}) WITH ORDINALITY AS a(${AGENT_COLUMNS.join(', ')}, n)
    ON a.n = r.agent`;
const EVENT_COLUMNS = columnsOf(SESSION_EVENTS, ['id', 'session_uuid']);
const INSERT_EVENTS = insertArrays(SESSION_EVENTS, EVENT_COLUMNS);
const NEXT_SESSION_IDS = `SELECT nextval(pg_get_serial_sequence('${SESSIONS.name}', 'id')) AS id FROM generate_series(1, $1)`;

/** The tables the seed fills, in the order they are analyzed at the end. */
export const SEEDED_TABLES = ['users', 'devices', 'sessions', 'session_events'] as const;

export async function countRows(db: Queryable, table: (typeof SEEDED_TABLES)[number]): Promise<number> {
  return Number((await db.rows(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
}

/** Adds the users whose names are free; returns the ids of those added, by username. */
export async function insertUsers(db: Queryable, users: NewUserRow[]): Promise<Map<string, number>> {
  const rows = await db.rows(INSERT_USERS, columnArrays(USERS, USER_COLUMNS, users));
  return new Map(rows.map((row) => [String(row.username), Number(row.id)]));
}

/** `n` new session ids from the sessions' sequence (safe beside a service inserting at the same time). */
export async function nextSessionIds(db: Queryable, n: number): Promise<number[]> {
  return (await db.rows(NEXT_SESSION_IDS, [n])).map((row) => Number(row.id));
}

/** A batch in one transaction: its new devices, its sessions, then their events. */
export async function writeBatch(db: Database, batch: SeedBatch): Promise<void> {
  await db.transaction(async (tx) => {
    if (batch.devices.length) await tx.rows(INSERT_DEVICES, columnArrays(DEVICES, DEVICE_COLUMNS, batch.devices));
    await tx.rows(INSERT_SESSIONS, [
      ...columnArrays(SESSIONS, ROW_COLUMNS, batch.sessions),
      batch.sessions.map((s) => s.agent),
      ...columnArrays(SESSIONS, AGENT_COLUMNS, batch.agents),
    ]);
    await tx.rows(INSERT_EVENTS, columnArrays(SESSION_EVENTS, EVENT_COLUMNS, batch.events));
  });
}

/** Fresh statistics and visibility map: the planner picks the right indexes and counts can be index-only. */
export async function analyze(db: Queryable, table: (typeof SEEDED_TABLES)[number]): Promise<void> {
  await db.rows(`VACUUM ANALYZE ${table}`);
}

/** The statements that bring back what a bulk load set aside, kept in `settings` until they ran (a crash loses none). */
export interface RestorePlan {
  indexes: string[];
  constraints: string[];
}

const PENDING_RESTORE = 'seed_pending_restore';
const SET_ASIDE_TABLES = `('sessions'::regclass, 'session_events'::regclass)`;

interface ConstraintFacts {
  tbl: string;
  name: string;
  type: 'u' | 'f';
  definition: string;
  index_definition: string;
}

/**
 * A large load into a small table sets the secondary indexes and the unique and foreign-key constraints of
 * sessions and their events aside, to build them again at the end, two at a time: one sorted build (and one
 * validating join) costs a fraction of a million index insertions and trigger checks.
 */
export async function setAside(db: Database): Promise<RestorePlan> {
  const constraints = (await db.rows(
    `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, c.contype AS type,
       pg_get_constraintdef(c.oid) AS definition, pg_get_indexdef(c.conindid) AS index_definition
     FROM pg_constraint c WHERE c.conrelid IN ${SET_ASIDE_TABLES} AND c.contype IN ('u', 'f')`,
  )) as unknown as ConstraintFacts[];
  const indexes = (await db.rows(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename IN ('sessions', 'session_events')
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
  )) as { name: string; definition: string }[];
  const uniques = constraints.filter((c) => c.type === 'u');
  const foreign = constraints.filter((c) => c.type === 'f');
  const trigram = (definition: string) => / USING gin /.test(definition);
  const plan: RestorePlan = {
    // The trigram index is the longest build: it starts first, and the rest share the other lane meanwhile.
    indexes: [
      ...indexes.filter((i) => trigram(i.definition)).map((i) => i.definition),
      ...indexes.filter((i) => !trigram(i.definition)).map((i) => i.definition),
      ...uniques.map((c) => c.index_definition),
    ],
    constraints: [
      ...uniques.map(
        (c) => `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${quoteIdent(c.name)} UNIQUE USING INDEX ${quoteIdent(c.name)}`,
      ),
      ...foreign.map((c) => `ALTER TABLE ${c.tbl} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition} NOT VALID`),
      ...foreign.map((c) => `ALTER TABLE ${c.tbl} VALIDATE CONSTRAINT ${quoteIdent(c.name)}`),
    ],
  };
  await db.rows(
    `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [PENDING_RESTORE, JSON.stringify(plan)],
  );
  for (const c of constraints) await db.rows(`ALTER TABLE ${c.tbl} DROP CONSTRAINT ${quoteIdent(c.name)}`);
  for (const index of indexes) await db.rows(`DROP INDEX ${quoteIdent(index.name)}`);
  return plan;
}

/** How many statements restoring `plan` runs (a step each). */
export function restoreSteps(plan: RestorePlan): number {
  return plan.indexes.length + plan.constraints.length;
}

/**
 * Builds the indexes two at a time (each in its own transaction, with more memory for the sort), then puts the
 * constraints back; `step` is called after each statement. After a crash some may already be back: resuming, "already
 * exists" is fine.
 */
export async function restore(db: Database, plan: RestorePlan, resuming: boolean, step: () => void): Promise<void> {
  const run = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!resuming || (code !== '42P07' && code !== '42710' && code !== '42P16')) throw error;
    }
    step();
  };
  const queue = [...plan.indexes];
  const build = (statement: string) => (tx: Queryable) =>
    tx.rows(`SET LOCAL maintenance_work_mem = '256MB'`).then(() => tx.rows(statement));
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const statement = next;
      await run(() => db.transaction(build(statement)));
    }
  };
  await Promise.all([lane(), lane()]);
  for (const statement of plan.constraints) await run(() => db.rows(statement));
  await db.rows(`DELETE FROM settings WHERE key = $1`, [PENDING_RESTORE]);
}

/** What an earlier bulk load that was interrupted before its indexes and constraints were back left to restore. */
export async function pendingRestore(db: Queryable): Promise<RestorePlan | null> {
  const rows = await db.rows(`SELECT value FROM settings WHERE key = $1`, [PENDING_RESTORE]);
  return rows.length ? (JSON.parse(String(rows[0].value)) as RestorePlan) : null;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
