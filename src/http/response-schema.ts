import { RouteSchema } from '@nestjs/platform-fastify';
import { isDeepStrictEqual } from 'node:util';

/**
 * Response schemas for Fastify's compiled serialiser (fast-json-stringify), derived from the schemas a face documents,
 * so what a route writes and what its document says come from one place.
 *
 * fast-json-stringify writes only the keys a schema lists, in the schema's order (required keys first), and coerces
 * each value to its schema's type; JSON.stringify, which wrote these answers before, writes every key in the object's
 * order and every value as it is. The conversion keeps the two byte-identical for what the mappers build:
 * - every value may be null: JSON.stringify writes null wherever it finds one, and a document's non-null claims are
 *   not always the vendor's answers (authentik declares the user agent's versions non-null and answers null);
 * - `required` is dropped: it would move required keys first, and JSON.stringify omits an undefined key quietly;
 * - `integer` is written as `number`: the same digits for an integer, and no truncation if a value ever is not one;
 * - `oneOf` / `anyOf` of one shape and null become that shape (branches would be validated per value at run time);
 * - formats, enums, bounds and descriptions are dropped (a `date-time` format would reformat a Date: the mappers
 *   pass formatted strings); an object without `properties` is free-form and written by JSON.stringify;
 * - key order is the document's unless `keyOrder` gives the mapper's for an object.
 * Keys a schema does not list are dropped, so a mapper's object must not carry more keys than its document lists:
 * the mappers build their objects key by key, and response-schema.spec.ts compares both serialisers on their answers.
 *
 * On Node 20 it is not faster everywhere: it writes the authentik list in fewer instructions than JSON.stringify,
 * but one session, the Prefactor list and MOVENS's user-sessions in more, so only the authentik list uses it
 * (measured in docs/performance.md).
 */

/** All fast-json-stringify needs to know of a value: its type, its keys in order, its items. */
export interface WireSchema {
  type?: 'object' | 'array' | 'string' | 'number' | 'boolean';
  nullable?: true;
  properties?: Record<string, WireSchema>;
  items?: WireSchema;
  additionalProperties?: WireSchema | true;
}

export interface WireOptions {
  /** The schemas `$ref`s name (`#/components/schemas/<name>`). */
  components?: Record<string, unknown>;
  /**
   * The mapper's key order where it is not the document's, by property path from the root (`user_agent`,
   * `results.user_agent`: array items add nothing to the path). Each list names every property of its object.
   */
  keyOrder?: Record<string, readonly string[]>;
}

type Schema = Record<string, unknown>;

const REF_PREFIX = '#/components/schemas/';

function asSchema(value: unknown, path: string): Schema {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`response schema at "${path}": not a schema`);
  return value as Schema;
}

/** The schema a `$ref` chain ends at; `stack` holds the names on the way down, so a cycle is refused. */
function resolved(schema: Schema, path: string, options: WireOptions, stack: string[]): [Schema, string[]] {
  let current = schema;
  let names = stack;
  while (typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (!ref.startsWith(REF_PREFIX)) throw new Error(`response schema at "${path}": unsupported $ref ${ref}`);
    const name = ref.slice(REF_PREFIX.length);
    if (names.includes(name)) throw new Error(`response schema at "${path}": recursive $ref ${ref}`);
    const target = options.components?.[name];
    if (target === undefined) throw new Error(`response schema at "${path}": unknown $ref ${ref}`);
    current = asSchema(target, path);
    names = [...names, name];
  }
  return [current, names];
}

function isNullSchema(schema: Schema): boolean {
  return schema.type === 'null' || (Array.isArray(schema.type) && schema.type.every((t) => t === 'null'));
}

/** The one non-null type of a schema (OpenAPI 3.1 writes `type: [x, 'null']`); undefined when it names none. */
function typeOf(schema: Schema, path: string): string | undefined {
  const types = ((Array.isArray(schema.type) ? schema.type : [schema.type]) as unknown[]).filter(
    (t) => t !== undefined && t !== 'null',
  );
  if (types.length > 1) throw new Error(`response schema at "${path}": several types (${types.join(', ')})`);
  const [type] = types;
  if (type === undefined && schema.properties !== undefined) return 'object';
  return type as string | undefined;
}

function convert(input: unknown, path: string, options: WireOptions, stack: string[], used: Set<string>): WireSchema {
  const [schema, names] = resolved(asSchema(input, path), path, options, stack);
  for (const keyword of ['allOf', 'not', 'if', 'patternProperties'])
    if (schema[keyword] !== undefined) throw new Error(`response schema at "${path}": ${keyword} is not supported`);

  const branches = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (branches) {
    const shapes = branches
      .map((branch) => resolved(asSchema(branch, path), path, options, names))
      .filter(([branch]) => !isNullSchema(branch))
      .map(([branch, branchNames]) => convert(branch, path, options, branchNames, used));
    if (shapes.length === 0 || shapes.some((shape) => !isDeepStrictEqual(shape, shapes[0])))
      throw new Error(`response schema at "${path}": oneOf/anyOf of different shapes`);
    return shapes[0];
  }

  const type = typeOf(schema, path);
  switch (type) {
    case 'string':
    case 'boolean':
      return { type, nullable: true };
    case 'number':
    case 'integer':
      return { type: 'number', nullable: true };
    case 'array':
      // Without items the array is free-form: JSON.stringify writes it.
      return schema.items === undefined
        ? {}
        : { type: 'array', nullable: true, items: convert(schema.items, path, options, names, used) };
    case 'object':
      return convertObject(schema, path, options, names, used);
    default:
      // No type: anything, as JSON.stringify writes it.
      return {};
  }
}

function convertObject(schema: Schema, path: string, options: WireOptions, stack: string[], used: Set<string>) {
  if (schema.properties === undefined) return {};
  const properties = asSchema(schema.properties, path);
  let keys = Object.keys(properties);
  const order = options.keyOrder?.[path];
  if (order) {
    if (order.length !== keys.length || !keys.every((key) => order.includes(key)))
      throw new Error(`response schema at "${path}": keyOrder [${order.join(', ')}] is not [${keys.join(', ')}]`);
    keys = [...order];
    used.add(path);
  }
  const wire: WireSchema = {
    type: 'object',
    nullable: true,
    properties: Object.fromEntries(
      keys.map((key) => [key, convert(properties[key], path ? `${path}.${key}` : key, options, stack, used)]),
    ),
  };
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) {
    const extraWire = extra === true ? true : convert(extra, `${path}.*`, options, stack, used);
    wire.additionalProperties = isDeepStrictEqual(extraWire, {}) ? true : extraWire;
  }
  return wire;
}

/** A face's documented schema (OpenAPI 3.0 or 3.1, `$ref`s into `components`) as fast-json-stringify's schema. */
export function wireSchema(schema: unknown, options: WireOptions = {}): WireSchema {
  const used = new Set<string>();
  const wire = convert(schema, '', options, [], used);
  const unused = Object.keys(options.keyOrder ?? {}).filter((path) => !used.has(path));
  if (unused.length > 0) throw new Error(`response schema: keyOrder for no object at ${unused.join(', ')}`);
  return wire;
}

/** The wire schema of an operation's documented 200 JSON answer, `$ref`s resolved in the document's components. */
export function documentedOk(
  document: object,
  path: string,
  method: string,
  keyOrder?: WireOptions['keyOrder'],
): WireSchema {
  const at = (value: unknown, ...keys: string[]): unknown =>
    keys.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
  const schema = at(document, 'paths', path, method, 'responses', '200', 'content', 'application/json', 'schema');
  if (schema === undefined) throw new Error(`response schema: no documented 200 JSON answer for ${method} ${path}`);
  const components = at(document, 'components', 'schemas') as Record<string, unknown> | undefined;
  return wireSchema(schema, { components, keyOrder });
}

/** The 200 answer of a route is written by fast-json-stringify with this schema (other statuses as before). */
export function SerialisedOk(schema: WireSchema): MethodDecorator {
  return RouteSchema({ response: { 200: schema } });
}
