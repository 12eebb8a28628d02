/** Column values as the drivers hand them over: PGlite and `pg` agree on most types but not on every one. */
export const date = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string | number));
export const nullableDate = (value: unknown): Date | null => (value == null ? null : date(value));
export const nullableNumber = (value: unknown): number | null => (value == null ? null : Number(value));
export const nullableString = (value: unknown): string | null =>
  value == null ? null : typeof value === 'string' ? value : JSON.stringify(value);
export const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));
export const nullableJson = <T>(value: unknown): T | null => (value == null ? null : json<T>(value));
