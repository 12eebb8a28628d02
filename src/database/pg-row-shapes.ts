import { types as globalTypes } from 'pg';

// pg's Result has no types of its own to import: the shape below is what pg 8 defines in lib/result.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Result = require('pg/lib/result') as { prototype: PgResult };

interface FieldDescription {
  name: string;
  dataTypeID: number;
  format?: 'text' | 'binary';
}

interface TypeSource {
  getTypeParser(oid: number, format: 'text' | 'binary'): (text: string) => unknown;
}

/** The parts of pg's Result that addFields sets and parseRow reads. */
interface PgResult {
  fields: FieldDescription[];
  _parsers: ((text: string) => unknown)[] | undefined;
  _types: TypeSource | undefined;
  _prebuiltEmptyResultObject: Record<string, null> | null;
  rowAsArray: boolean;
  addFields(fields: FieldDescription[]): void;
  parseRow: RowParser;
}

type Parser = (text: string) => unknown;
type RowParser = (this: PgResult, rowData: (string | null)[]) => unknown;

interface Shape {
  fields: FieldDescription[];
  parsers: Parser[];
  emptyRow: Record<string, null>;
  /** Null where pg's own parseRow must run: binary columns, or a column named `__proto__`. */
  parseRow: RowParser | null;
}

/**
 * A row as one object literal with the shape's column names, compiled once per shape: V8 builds every row with one
 * hidden class, where pg copies its template and then stores each column by a computed name. Names are written as
 * JSON string literals, so a column name cannot become code.
 */
function compileRowParser(fields: FieldDescription[], parsers: Parser[]): RowParser | null {
  if (fields.some((field) => field.format === 'binary' || field.name === '__proto__')) return null;
  const properties = fields.map(
    (field, i) => `${JSON.stringify(field.name)}: rowData[${i}] === null ? null : parsers[${i}](rowData[${i}])`,
  );
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function(
    'parsers',
    `return function parseRow(rowData) { return { ${properties.join(', ')} }; };`,
  ) as (parsers: Parser[]) => RowParser;
  return make(parsers);
}

/**
 * Shapes per type source (each pooled client has its own), by column count. Looked up by comparing the columns, not
 * by a key built from them: building and hashing a key of 40 names cost as much as what the cache saves.
 */
const shapesBySource = new WeakMap<TypeSource, Map<number, Shape[]>>();
/** The service's statements give a few dozen shapes; a caller building SQL freely cannot grow this past the bound. */
const MAX_SHAPES_PER_COUNT = 64;

function sameColumns(shape: Shape, fields: FieldDescription[]): boolean {
  const known = shape.fields;
  for (let i = 0; i < fields.length; i++) {
    const a = known[i];
    const b = fields[i];
    if (a.name !== b.name || a.dataTypeID !== b.dataTypeID || a.format !== b.format) return false;
  }
  return true;
}

function findShape(source: TypeSource, fields: FieldDescription[]): Shape {
  let byCount = shapesBySource.get(source);
  if (!byCount) shapesBySource.set(source, (byCount = new Map<number, Shape[]>()));
  let shapes = byCount.get(fields.length);
  if (!shapes) byCount.set(fields.length, (shapes = []));
  for (const shape of shapes) if (sameColumns(shape, fields)) return shape;
  const parsers = fields.map((field) => {
    const parser = source.getTypeParser(field.dataTypeID, field.format ?? 'text');
    return field.dataTypeID === JSONB_OID && (field.format ?? 'text') === 'text' ? repeatedJson(parser) : parser;
  });
  const shape: Shape = {
    fields: fields.map(({ name, dataTypeID, format }) => ({ name, dataTypeID, format })),
    parsers,
    parseRow: compileRowParser(fields, parsers),
    // JSON.parse builds a fast-mode object (assigning past a dozen names would not). A repeated name keeps its
    // first place and null, as pg's own template does.
    emptyRow: JSON.parse(`{${fields.map((field) => `${JSON.stringify(field.name)}:null`).join(',')}}`) as Record<
      string,
      null
    >,
  };
  if (shapes.length >= MAX_SHAPES_PER_COUNT) shapes.length = 0;
  shapes.push(shape);
  return shape;
}

const JSONB_OID = 3802;
/** Texts longer than this are parsed each time: the repeating ones (parsed user agents, ~400 characters) are short. */
const MAX_REPEATED_JSON_LENGTH = 4096;
const MAX_REPEATED_JSON_VALUES = 4096;
const repeatedJsonValues = new Map<string, unknown>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * A jsonb column whose values repeat from row to row (a session's parsed user agent: a few thousand agents among a
 * million sessions) is parsed once per distinct text: each list row otherwise ran JSON.parse over ~400 characters and
 * left the garbage to collect. The value is shared, so it is frozen, deeply: code that tried to change it would
 * throw rather than change another row's. Bounded: the copy is dropped when it is full.
 */
function repeatedJson(parse: Parser): Parser {
  return (text) => {
    if (text.length > MAX_REPEATED_JSON_LENGTH) return parse(text);
    let value = repeatedJsonValues.get(text);
    if (value === undefined) {
      value = deepFreeze(parse(text));
      if (repeatedJsonValues.size >= MAX_REPEATED_JSON_VALUES) repeatedJsonValues.clear();
      repeatedJsonValues.set(text, value);
    }
    return value;
  };
}

let installed = false;

/**
 * pg describes the columns of every result again (the server sends them each time), and for each one pg's
 * `Result.addFields` looks up every column's parser and builds the row template as a dictionary-mode object; every
 * row is then copied from that template. In a profile of `authentik retrieve` (one row of about 40 columns) that
 * was 6 % of the process's CPU, and the rows came out as slow dictionary-mode objects too. node-postgres has an open
 * pull request doing what this does (brianc/node-postgres#3753: cache the parsers and template per result shape);
 * until a release has it, this replaces `addFields` with the same idea: parsers and a fast-mode template built once
 * per shape (column names, types and formats) and type source, and each row built by one compiled object literal.
 * Type parsers are all set when postgres-database.ts loads, before any query, so a cached parser is never stale.
 * Equality with pg's own rows, value, class and key order, is tested on a real server (pg-row-shapes.spec.ts).
 *
 * Installed by the service's PostgreSQL database only: the benchmark's floor keeps pg as it comes.
 */
export function cacheRowShapes(): void {
  if (installed) return;
  installed = true;
  const defaultParseRow = Result.prototype.parseRow;
  Result.prototype.addFields = function addFields(this: PgResult, fields: FieldDescription[]): void {
    this.fields = fields;
    // A client gives every result its own type overrides; a result made without one parses as pg's globals.
    const source: TypeSource = this._types ?? globalTypes;
    const shape = findShape(source, fields);
    // pg leaves the parsers unset for a result without columns; parseRow is never called then.
    this._parsers = fields.length ? shape.parsers : this._parsers;
    this._prebuiltEmptyResultObject = shape.emptyRow;
    // Array rows keep pg's own parser (set in Result's constructor).
    if (!this.rowAsArray) this.parseRow = shape.parseRow ?? defaultParseRow;
  };
}
