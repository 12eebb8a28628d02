import { ApiProperty } from '@nestjs/swagger';

/** Everything the MOVENS face reads from a request: paging, user GUIDs, the revoke body. Refusals are MovensErrors. */

/** A MOVENS error message key; the face answers it as 400 `{"Message": key}`. */
export type MovensMessageKey = 'err_InvalidRequest' | 'err_InvalidGuid' | 'err_NoActiveSession';

export class MovensError extends Error {
  constructor(readonly key: MovensMessageKey) {
    super(key);
    this.name = 'MovensError';
  }
}

// ---- paging -----------------------------------------------------------------------------------------------------

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** ASP.NET binds PageIndex to an int: anything past int32 is not a page number. */
export const MAX_PAGE_INDEX = 2147483647;

export interface Paging {
  pageIndex: number;
  pageSize: number;
}

/**
 * PageIndex (1-based, default 1) and PageSize (default 20, at most 100), names matched case-insensitively as
 * ASP.NET does. Anything else (0, negative, not an integer, repeated, over the maximum) is refused, not clamped.
 */
export function parsePaging(query: Record<string, unknown> | null | undefined): Paging {
  return {
    pageIndex: integerParam(query, 'pageindex', 1, MAX_PAGE_INDEX) ?? 1,
    pageSize: integerParam(query, 'pagesize', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
  };
}

function integerParam(
  query: Record<string, unknown> | null | undefined,
  lowerName: string,
  min: number,
  max: number,
): number | undefined {
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (key.toLowerCase() === lowerName) values.push(...(Array.isArray(value) ? (value as unknown[]) : [value]));
  }
  if (values.length === 0) return undefined;
  const text = values.length === 1 ? values[0] : undefined;
  if (typeof text !== 'string' || !/^\d{1,12}$/.test(text)) throw new MovensError('err_InvalidRequest');
  const number = Number(text);
  if (number < min || number > max) throw new MovensError('err_InvalidRequest');
  return number;
}

// ---- user GUIDs -------------------------------------------------------------------------------------------------

const GUID_FORMS = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^\(([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\)$/i,
];

/** A user GUID in any of .NET's D, N, B or P forms, as lower-case D; anything else is err_InvalidGuid. */
export function parseGuid(text: string): string {
  for (const form of GUID_FORMS) {
    const match = form.exec(text);
    if (match) return match.slice(1).join('-').toLowerCase();
  }
  throw new MovensError('err_InvalidGuid');
}

// ---- the revoke body --------------------------------------------------------------------------------------------

/** The revoke body's OpenAPI schema; parseRevokeRequest reads it. */
export class MovensRevokeRequest {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 123,
    description: 'The session ID (`ID` in user-sessions).',
  })
  Session: number;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * The `Session` of a revoke body, matched case-insensitively as ASP.NET's JSON binding does. A body that is not an
 * object, or whose Session is missing or not an int32 integer, is err_InvalidRequest.
 */
export function parseRevokeRequest(body: unknown): number {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MovensError('err_InvalidRequest');
  const record = body as Record<string, unknown>;
  const key = 'Session' in record ? 'Session' : Object.keys(record).find((k) => k.toLowerCase() === 'session');
  const value = key === undefined ? undefined : record[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new MovensError('err_InvalidRequest');
  }
  return value;
}
