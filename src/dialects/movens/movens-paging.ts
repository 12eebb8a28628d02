import { MovensError } from './movens.errors';

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

export function offsetOf(paging: Paging): number {
  return (paging.pageIndex - 1) * paging.pageSize;
}

/** The paging headers: X-Total-Count, X-Pagination and, when there is a next or previous page, an RFC 8288 Link. */
export function pagingHeaders(path: string, rawQuery: string, paging: Paging, total: number): Record<string, string> {
  const totalPages = Math.ceil(total / paging.pageSize);
  const headers: Record<string, string> = {
    'X-Total-Count': String(total),
    'X-Pagination': JSON.stringify({
      TotalCount: total,
      PageSize: paging.pageSize,
      CurrentPage: paging.pageIndex,
      TotalPages: totalPages,
    }),
  };
  const links: string[] = [];
  if (paging.pageIndex < totalPages)
    links.push(`<${pageUrl(path, rawQuery, paging.pageIndex + 1, paging.pageSize)}>; rel="next"`);
  // Past the end, "prev" leads back to the last page that exists.
  if (paging.pageIndex > 1 && totalPages > 0) {
    links.push(`<${pageUrl(path, rawQuery, Math.min(paging.pageIndex - 1, totalPages), paging.pageSize)}>; rel="prev"`);
  }
  if (links.length) headers.Link = links.join(', ');
  return headers;
}

/** The same request for another page: other query parameters kept as sent, paging parameters canonical and last. */
export function pageUrl(path: string, rawQuery: string, pageIndex: number, pageSize: number): string {
  const kept = rawQuery.split('&').filter((segment) => {
    if (segment === '') return false;
    const name = decodeName(segment.split('=')[0]).toLowerCase();
    return name !== 'pageindex' && name !== 'pagesize';
  });
  return `${path}?${[...kept, `PageIndex=${pageIndex}`, `PageSize=${pageSize}`].join('&')}`;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}
