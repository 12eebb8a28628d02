/**
 * One definition per table: its name, the alias every query gives it, and each column's SQL type. SELECT lists,
 * INSERTs (the service's one row at a time, the seed's arrays of rows) and parameter encoding derive from it, so a
 * column is written once. The row mapper beside each definition turns a row into the domain's object.
 */
export type SqlType =
  | 'bigint'
  | 'int'
  | 'boolean'
  | 'uuid'
  | 'char(32)'
  | 'char(64)'
  | 'varchar'
  | 'text'
  | 'timestamptz'
  | 'inet'
  | 'jsonb';

export interface Table<Row> {
  name: string;
  alias: string;
  columns: { readonly [K in keyof Row]: SqlType };
}

export function defineTable<Row>(
  name: string,
  alias: string,
  columns: { readonly [K in keyof Row]: SqlType },
): Table<Row> {
  return { name, alias, columns };
}

/** Written by the database itself (`now()`), not a parameter: the same clock as column defaults. */
export const NOW = Symbol('now()');

/** A value written as SQL rather than sent as a parameter: a column of the row source `insertRow` selects from. */
export class SqlValue {
  constructor(readonly sql: string) {}
}

export type InsertValues<Row> = { [K in keyof Row]?: Row[K] | typeof NOW | SqlValue };

function columnNames<Row>(table: Table<Row>): (keyof Row & string)[] {
  return Object.keys(table.columns) as (keyof Row & string)[];
}

/** How a column reads: an address as its plain text (`host()`), anything else as stored. */
function readExpression(alias: string, column: string, type: SqlType, prefix: string): string {
  const value = type === 'inet' ? `host(${alias}.${column})` : `${alias}.${column}`;
  return value === `${alias}.${column}` && !prefix ? value : `${value} AS ${prefix}${column}`;
}

/**
 * The table's columns for a SELECT, qualified by its alias; `except` leaves out write-only ones (secrets), and
 * `prefix` renames them where two tables of one join share column names.
 */
export function selectList<Row>(table: Table<Row>, except: readonly (keyof Row)[] = [], prefix = ''): string {
  return columnNames(table)
    .filter((column) => !except.includes(column))
    .map((column) => selectColumn(table, column, prefix))
    .join(', ');
}

/** One column of the table as a SELECT reads it (see selectList). */
export function selectColumn<Row>(table: Table<Row>, column: keyof Row & string, prefix = ''): string {
  return readExpression(table.alias, column, table.columns[column], prefix);
}

/** A parameter as the driver should send it: JSON columns as their text, everything else as is. */
export function encode(type: SqlType, value: unknown): unknown {
  return type === 'jsonb' && value != null ? JSON.stringify(value) : value;
}

/**
 * `INSERT INTO table (...) VALUES (...)` for the columns `values` sets, in the definition's order (so the same set
 * of columns always gives the same text, which can be prepared). Returns the text up to VALUES (...) and its
 * parameters; the caller adds RETURNING or ON CONFLICT. With `from`, the row is `SELECT ... FROM from` instead: one
 * row per row of that source (none when it has none), each parameter cast to its column's type (a SELECT list does
 * not take its types from the INSERT's columns, as VALUES does).
 */
export function insertRow<Row>(
  table: Table<Row>,
  values: InsertValues<Row>,
  from?: string,
): { text: string; params: unknown[] } {
  const columns: string[] = [];
  const placeholders: string[] = [];
  const params: unknown[] = [];
  for (const column of columnNames(table)) {
    const value = values[column];
    if (value === undefined) continue;
    columns.push(column);
    const type = table.columns[column];
    if (value === NOW) placeholders.push('now()');
    else if (value instanceof SqlValue) placeholders.push(value.sql);
    else placeholders.push(`$${params.push(encode(type, value))}${from ? `::${type}` : ''}`);
  }
  const source = from ? `SELECT ${placeholders.join(', ')} FROM ${from}` : `VALUES (${placeholders.join(', ')})`;
  return { text: `INSERT INTO ${table.name} AS ${table.alias} (${columns.join(', ')}) ${source}`, params };
}

/**
 * `INSERT INTO table (...) SELECT * FROM unnest(...)` for bulk loads: one array parameter per column, one element
 * per row, in the order given. The caller adds RETURNING or ON CONFLICT.
 */
export function insertArrays<Row>(table: Table<Row>, columns: readonly (keyof Row & string)[]): string {
  const arrays = columns.map((column, i) => `$${i + 1}::${table.columns[column]}[]`);
  return `INSERT INTO ${table.name} (${columns.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})`;
}

/** The arrays `insertArrays` takes, from rows: one per column, JSON encoded where the column is JSON. */
export function columnArrays<Row>(
  table: Table<Row>,
  columns: readonly (keyof Row & string)[],
  rows: readonly Partial<Row>[],
): unknown[][] {
  return columns.map((column) => rows.map((row) => encode(table.columns[column], row[column] ?? null)));
}
