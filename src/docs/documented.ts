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

/**
 * `value` with exactly the properties `dto` documents, in the document's order: an answer can show nothing its
 * document does not, and a mapper may pass a domain object's fields through by name (a field the DTO documents under
 * the same name and type needs no line in the mapper).
 */
export function asDocumented<T extends object>(dto: DtoClass<T>, value: T): T {
  const shaped: Record<string, unknown> = {};
  for (const key of documentedKeys(dto)) shaped[key] = (value as Record<string, unknown>)[key];
  return shaped as T;
}
