import { DECORATORS } from '@nestjs/swagger';

type DtoClass<T> = abstract new (...args: never[]) => T;

const keysOf = new WeakMap<object, readonly string[]>();

/** The properties a DTO class documents (its @ApiProperty decorators, inherited ones first), in their order. */
export function documentedKeys(dto: DtoClass<unknown>): readonly string[] {
  let keys = keysOf.get(dto);
  if (!keys) {
    const marked = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, dto.prototype as object) ??
      []) as unknown[];
    keys = marked
      .filter((key): key is string => typeof key === 'string' && key.startsWith(':'))
      .map((key) => key.slice(1));
    if (keys.length === 0) throw new Error(`${dto.name} documents no properties`);
    keysOf.set(dto, keys);
  }
  return keys;
}

type Picker = (fields: object, own: object) => object;
const pickers = new WeakMap<object, Map<string, Picker>>();

/**
 * An answer with exactly the properties `dto` documents, in the document's order: `own` gives those the mapper
 * renames or formats, `fields` (a domain object) the rest by name. An answer can show nothing its document does not,
 * and a field the DTO documents under the domain's name and type needs no line in the mapper.
 */
export function asDocumented<T extends object, Own extends Partial<T>>(
  dto: DtoClass<T>,
  fields: Omit<T, keyof Own>,
  own: Own,
): T {
  let byOwnKeys = pickers.get(dto);
  if (!byOwnKeys) pickers.set(dto, (byOwnKeys = new Map<string, Picker>()));
  const ownKeys = Object.keys(own).join();
  let pick = byOwnKeys.get(ownKeys);
  if (!pick) byOwnKeys.set(ownKeys, (pick = compilePicker(documentedKeys(dto), new Set(Object.keys(own)))));
  return pick(fields, own) as T;
}

/**
 * One object literal over the keys, compiled once per DTO and set of own keys: a spread or a key-by-key copy of a
 * 28-field session costs 13 µs where the literal costs under 1 (measured), and validate answers with one. The source
 * holds only property names a class declares, checked to be identifiers, never input.
 */
function compilePicker(keys: readonly string[], own: ReadonlySet<string>): Picker {
  for (const key of keys) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not a property name: ${key}`);
  const values = keys.map((key) => `${key}: ${own.has(key) ? 'own' : 'fields'}.${key}`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above: declared property names only
  return new Function('fields', 'own', `return { ${values.join(', ')} };`) as Picker;
}
