import { SessionSortField } from '../../sessions/session-query';
import { isPfid } from '../../sessions/pfid';
import { Sorting } from './prefactor.dto';

/** A request Prefactor refuses: its error code and, for validation failures, the messages per input field. */
export class PrefactorRequestError extends Error {
  constructor(
    readonly code: 'bad_request' | 'invalid_value' | 'required_value' | 'not_found',
    message: string,
    readonly errors?: Record<string, string[]>,
    /** Methods the path does answer, for a method that is not allowed. */
    readonly allow?: string[],
  ) {
    super(message);
    this.name = 'PrefactorRequestError';
  }
}

export const PREFACTOR_SORT_FIELDS = ['id', 'last_seen', 'status', 'title'] as const;
export type PrefactorSortField = (typeof PREFACTOR_SORT_FIELDS)[number];

/** Prefactor's sort names onto the domain's; `id` is the PFID clients see. */
const DOMAIN_SORT: Record<PrefactorSortField, SessionSortField> = {
  id: 'pfid',
  last_seen: 'last_seen',
  status: 'status',
  title: 'title',
};

export const DEFAULT_SORTING = '-last_seen';
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_OFFSET = 1_000_000_000;

/** The query of `GET /api/v1/session`, as Fastify hands it over (repeated keys arrive as arrays). */
export type RawListQuery = Record<string, string | string[] | undefined>;

export interface ListSessionsRequest {
  poolId?: string;
  accountId?: string;
  sorting: Sorting;
  order: { field: SessionSortField; descending: boolean };
  offset: number;
  pageSize: number;
}

function single(query: RawListQuery, key: string, errors: Record<string, string[]>): string | undefined {
  const value = query[key];
  if (Array.isArray(value)) {
    errors[key] = ['must be given at most once'];
    return undefined;
  }
  return value === undefined || value === '' ? undefined : value;
}

function integer(
  text: string | undefined,
  key: string,
  min: number,
  max: number,
  errors: Record<string, string[]>,
): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    errors[key] = [`must be an integer from ${min} to ${max}`];
    return undefined;
  }
  return value;
}

/**
 * Validates the list query. Every bad field is reported at once (`invalid_value`, 422); a caller who is not a superuser
 * must scope the list by `pool_id` or `account_id` (`required_value`, 422). Unknown parameters are ignored.
 */
export function parseListQuery(query: RawListQuery, callerIsSuperuser: boolean): ListSessionsRequest {
  const errors: Record<string, string[]> = {};
  const poolId = single(query, 'pool_id', errors);
  if (poolId !== undefined && !isPfid(poolId)) errors.pool_id = ['must be a valid pool ID'];
  const accountId = single(query, 'account_id', errors);
  if (accountId !== undefined && !isPfid(accountId)) errors.account_id = ['must be a valid account ID'];
  const sortingText = single(query, 'sorting', errors) ?? DEFAULT_SORTING;
  const descending = sortingText.startsWith('-');
  const sortField = (descending ? sortingText.slice(1) : sortingText) as PrefactorSortField;
  if (!errors.sorting && !PREFACTOR_SORT_FIELDS.includes(sortField)) {
    errors.sorting = [`must be one of ${PREFACTOR_SORT_FIELDS.join(', ')}, optionally with a leading -`];
  }
  const offset = integer(single(query, 'pagination[offset]', errors), 'pagination[offset]', 0, MAX_OFFSET, errors) ?? 0;
  const pageSize =
    integer(single(query, 'pagination[page_size]', errors), 'pagination[page_size]', 1, MAX_PAGE_SIZE, errors) ??
    DEFAULT_PAGE_SIZE;
  const bad = Object.keys(errors);
  if (bad.length > 0) throw new PrefactorRequestError('invalid_value', `Invalid value for ${bad.join(', ')}`, errors);
  if (!callerIsSuperuser && poolId === undefined && accountId === undefined) {
    throw new PrefactorRequestError('required_value', 'A pool_id or an account_id is required', {
      pool_id: ['is required unless account_id is given'],
    });
  }
  return {
    poolId,
    accountId,
    sorting: { field: sortField, direction: descending ? 'desc' : 'asc' },
    order: { field: DOMAIN_SORT[sortField], descending },
    offset,
    pageSize,
  };
}

/** A session id from the path: a PFID, or `invalid_value`. */
export function parseSessionId(value: string): string {
  if (!isPfid(value)) {
    throw new PrefactorRequestError('invalid_value', 'Invalid value for session_id', {
      session_id: ['must be a valid session ID'],
    });
  }
  return value;
}

/** Revoke's refusal of a body that is not a JSON object (JSON `null`, an array, a form, another content type). */
export function notJsonObject(): PrefactorRequestError {
  return new PrefactorRequestError('bad_request', 'The request body must be a JSON object', {
    body: ['must be a JSON object'],
  });
}

/** Revoke takes `{}`; a body that is present (undefined: none, or an empty one) must be a JSON object. */
export function checkEmptyObjectBody(body: unknown): void {
  if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) throw notJsonObject();
}
