import { isIP } from 'node:net';
import { SessionFilters, SessionOrder, SessionSortField } from '../../sessions/session-query';

/**
 * Request parsing for the authentik face, as DRF / django-filter / Django's Paginator read the query string.
 * Pure functions: they either return parsed values or throw an AuthentikHttpError with authentik's exact answer.
 */

/** An answer authentik gives for bad input: a status and DRF's body. The exception filter sends it as is. */
export class AuthentikHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(
      typeof body === 'object' && body && 'detail' in body
        ? String((body as { detail: string }).detail)
        : JSON.stringify(body),
    );
    this.name = 'AuthentikHttpError';
  }
}

export const NOT_FOUND_DETAIL = 'No AuthenticatedSession matches the given query.';
export const MALFORMED_ID_DETAIL = 'Not found.';
export const INVALID_PAGE_DETAIL = 'Invalid page.';
export const NULL_CHARACTERS = 'Null characters are not allowed.';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export type QueryValue = string | string[] | undefined;
export type RawQuery = Record<string, QueryValue>;

/** Django's `QueryDict.get`: the last value of a repeated key. */
export function lastValue(value: QueryValue): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Python's `int(str)`: surrounding whitespace, a sign and single underscores between digits are allowed. */
export function pythonInt(text: string): bigint | null {
  const trimmed = text.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(trimmed)) return null;
  return BigInt(trimmed.replace(/_/g, ''));
}

// ---- search ----------------------------------------------------------------------------------------------------

// django.utils.text.smart_split: whitespace-separated bits, quoted phrases ('...' or "...") kept whole.
const SMART_SPLIT = /((?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+)/g;

function stripChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start])) start++;
  while (end > start && chars.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

/** DRF's `search_smart_split`: split on whitespace and commas, quoted phrases kept together and unquoted. */
export function searchSmartSplit(value: string): string[] {
  const terms: string[] = [];
  for (const match of value.matchAll(SMART_SPLIT)) {
    const term = stripChars(match[0], ',');
    if ((term.startsWith('"') || term.startsWith("'")) && term[0] === term[term.length - 1]) {
      const quote = term[0];
      // django.utils.text.unescape_string_literal
      terms.push(term.slice(1, -1).split(`\\${quote}`).join(quote).split('\\\\').join('\\'));
    } else {
      for (const sub of term.split(',')) if (sub) terms.push(sub.trim());
    }
  }
  return terms;
}

/**
 * Bounds on `search` (authentik has none): every term is a substring match over every live session, so a request
 * with thousands of terms could keep the database busy for minutes. Past a bound: 400, like the NUL check.
 */
export const MAX_SEARCH_LENGTH = 500;
export const MAX_SEARCH_TERMS = 10;

/** The `search` parameter: DRF validates it with a CharField first, so a NUL is a 400 whose body is a bare list. */
export function parseSearch(query: RawQuery): string[] {
  const value = lastValue(query.search) ?? '';
  if (value.includes('\0')) throw new AuthentikHttpError(400, [NULL_CHARACTERS]);
  if (value.length > MAX_SEARCH_LENGTH) {
    throw new AuthentikHttpError(400, [`Ensure this field has no more than ${MAX_SEARCH_LENGTH} characters.`]);
  }
  const terms = searchSmartSplit(value);
  if (terms.length > MAX_SEARCH_TERMS) {
    throw new AuthentikHttpError(400, [`Ensure the search has no more than ${MAX_SEARCH_TERMS} terms.`]);
  }
  return terms;
}

// ---- the list and detail requests as a whole --------------------------------------------------------------------

/**
 * A list request in DRF's order: filter backends (search, filters, ordering) first, then pagination. Each part
 * answers its own 400 or 404 exactly as authentik does.
 */
export function parseListRequest(query: RawQuery): {
  filters: SessionFilters;
  order: SessionOrder[];
  page: number | 'last';
  pageSize: number;
} {
  const filters = parseDetailFilters(query);
  return { filters, order: parseOrdering(query), page: parsePage(query), pageSize: parsePageSize(query) };
}

/** authentik's filter backends apply to detail lookups too: the search and the exact filters of a query. */
export function parseDetailFilters(query: RawQuery): SessionFilters {
  const searchTerms = parseSearch(query);
  return { ...parseFilters(query), searchTerms };
}

// ---- filters ---------------------------------------------------------------------------------------------------

export interface AuthentikFilters {
  username?: string;
  lastIp?: string;
  lastUserAgent?: string;
}

const FILTER_FIELDS = [
  ['user__username', 'username'],
  ['session__last_ip', 'lastIp'],
  ['session__last_user_agent', 'lastUserAgent'],
] as const;

/** A string Node and PostgreSQL's inet both read as one host address (no prefix length, no zone). */
export function isHostAddress(value: string): boolean {
  return isIP(value) !== 0 && !value.includes('%');
}

/**
 * django-filter's exact CharFilters: values are stripped, empty ones ignored, NULs refused. authentik answers an
 * invalid IP with a 500; we answer it like a form error, `{"session__last_ip": ["Enter a valid IPv4 or IPv6 address."]}`.
 */
export function parseFilters(query: RawQuery): AuthentikFilters {
  const filters: AuthentikFilters = {};
  const errors: Record<string, string[]> = {};
  for (const [param, key] of FILTER_FIELDS) {
    const value = (lastValue(query[param]) ?? '').trim();
    if (value === '') continue;
    if (value.includes('\0')) errors[param] = [NULL_CHARACTERS];
    else if (key === 'lastIp' && !isHostAddress(value)) errors[param] = ['Enter a valid IPv4 or IPv6 address.'];
    else filters[key] = value;
  }
  if (Object.keys(errors).length > 0) throw new AuthentikHttpError(400, errors);
  return filters;
}

// ---- ordering --------------------------------------------------------------------------------------------------

/** authentik's orderable fields (serializer sources) and the domain's names for them. */
export const ORDERING_FIELDS: Record<string, SessionSortField> = {
  uuid: 'uuid',
  user: 'user',
  session__last_ip: 'last_ip',
  session__last_user_agent: 'last_user_agent',
  session__last_used: 'last_seen',
  session__expires: 'expires',
};

export const DEFAULT_ORDER: SessionOrder[] = [{ field: 'username', descending: false }];

/** DRF's OrderingFilter: comma-separated terms, `-` for descending, unknown terms dropped, none left: by username. */
export function parseOrdering(query: RawQuery): SessionOrder[] {
  const value = lastValue(query.ordering);
  if (!value) return DEFAULT_ORDER;
  const order: SessionOrder[] = [];
  for (const raw of value.split(',')) {
    const term = raw.trim();
    const descending = term.startsWith('-');
    const name = descending ? term.slice(1) : term;
    if (Object.prototype.hasOwnProperty.call(ORDERING_FIELDS, name))
      order.push({ field: ORDERING_FIELDS[name], descending });
  }
  return order.length > 0 ? order : DEFAULT_ORDER;
}

// ---- pagination ------------------------------------------------------------------------------------------------

/** authentik's `page_size`: a positive integer capped at 100; anything else (0, negative, text) means 20. */
export function parsePageSize(query: RawQuery): number {
  const value = lastValue(query.page_size);
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  const parsed = pythonInt(value);
  if (parsed === null || parsed <= 0n) return DEFAULT_PAGE_SIZE;
  return parsed > BigInt(MAX_PAGE_SIZE) ? MAX_PAGE_SIZE : Number(parsed);
}

/** The requested page: a number, or 'last'. Not an integer or below 1: 404 Invalid page (Django's Paginator). */
export function parsePage(query: RawQuery): number | 'last' {
  const value = lastValue(query.page) || '1';
  if (value === 'last') return 'last';
  const parsed = pythonInt(value);
  if (parsed === null || parsed < 1n) throw invalidPage();
  // Past any real page count; checked against the count later.
  return parsed > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(parsed);
}

export function invalidPage(): AuthentikHttpError {
  return new AuthentikHttpError(404, { detail: INVALID_PAGE_DETAIL });
}

// ---- path and bulk_delete --------------------------------------------------------------------------------------

/**
 * Python's `uuid.UUID(hex)`: `urn:` / `uuid:` prefixes and braces dropped, hyphens ignored, either case.
 * Returns the canonical lower-case form, or null when malformed.
 */
export function parseUuid(value: string): string | null {
  const hex = stripChars(value.replace(/urn:/g, '').replace(/uuid:/g, ''), '{}').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** DRF's IntegerField: a trailing `.0` is tolerated, strings over 1000 characters are refused. */
function integerFieldError(text: string): string | null {
  if (text.length > 1000) return 'String value too large.';
  const parsed = pythonInt(text.replace(/\.0*\s*$/, ''));
  return parsed === null ? 'A valid integer is required.' : null;
}

/**
 * `user_pks` as DRF's ListField(child=IntegerField()) reads a query string: repeated keys, or `user_pks[0]=`-style
 * keys. Missing: `{"user_pks": ["This field is required."]}`; bad items: `{"user_pks": {"0": [...]}}`.
 */
export function parseUserPks(query: RawQuery): number[] {
  let values: string[] | undefined;
  const direct = query.user_pks;
  if (direct !== undefined && (!Array.isArray(direct) || direct.length > 0)) {
    values = Array.isArray(direct) ? direct : [direct];
  } else {
    const indexed = new Map<number, string>();
    for (const [key, value] of Object.entries(query)) {
      const match = /^user_pks\[(\d+)\]$/.exec(key);
      if (match && value !== undefined) indexed.set(Number(match[1]), lastValue(value)!);
    }
    if (indexed.size > 0) values = [...indexed.keys()].sort((a, b) => a - b).map((k) => indexed.get(k)!);
  }
  if (values === undefined) throw new AuthentikHttpError(400, { user_pks: ['This field is required.'] });
  const errors: Record<string, string[]> = {};
  const ids: number[] = [];
  values.forEach((text, index) => {
    const error = integerFieldError(text);
    if (error) errors[String(index)] = [error];
    else ids.push(Number(pythonInt(text.replace(/\.0*\s*$/, ''))!));
  });
  if (Object.keys(errors).length > 0) throw new AuthentikHttpError(400, { user_pks: errors });
  return ids;
}
