import { DomainError } from '../../sessions/domain-error';

import { isUuid } from '../../sessions/uuid';

/** The SSF parsers' uuid check is the domain's. */
export { isUuid };

/** Small checks shared by every SSF request parser: each failure is a 400 naming the field. */
export type Body = Record<string, unknown>;

export function objectBody(value: unknown, what = 'The body'): Body {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw DomainError.invalid('body', `${what} must be a JSON object.`);
  return value as Body;
}

export function onlyFields(body: Body, allowed: readonly string[], where = 'the body'): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length) throw DomainError.invalid(unknown[0], `Unknown field in ${where}: ${unknown.join(', ')}.`);
}

/** A string without NUL characters (PostgreSQL cannot store them) and at most `max` characters. */
export function checkedString(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw DomainError.invalid(field, `${field} must be a string.`);
  if (value.includes('\u0000')) throw DomainError.invalid(field, `${field} must not contain NUL characters.`);
  if (value.length > max) throw DomainError.invalid(field, `${field} must be at most ${max} characters.`);
  return value;
}

export function optionalString(body: Body, field: string, max: number): string | undefined {
  return body[field] === undefined ? undefined : checkedString(body[field], field, max);
}

export function requiredString(body: Body, field: string, max: number): string {
  if (body[field] === undefined) throw DomainError.invalid(field, `${field} is required.`);
  return checkedString(body[field], field, max);
}

/** A stream id from a body or a query: not a string is a bad request; a string naming no stream is not found. */
export function streamIdOf(value: unknown): string {
  if (value === undefined) throw DomainError.invalid('stream_id', 'stream_id is required.');
  if (typeof value !== 'string') throw DomainError.invalid('stream_id', 'stream_id must be a string.');
  if (!isUuid(value)) throw DomainError.notFound('Stream');
  return value.toLowerCase();
}
