/** A uuid in its hyphenated text form, either case: how users, sessions and streams are named. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_PATTERN.test(value);

/** A uuid exactly as PostgreSQL prints it (lowercase, hyphenated). */
export const isCanonicalUuid = (value: string): boolean => isUuid(value) && value === value.toLowerCase();
