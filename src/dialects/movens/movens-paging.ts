import { Paging } from './movens.request';

/** The response side of MOVENS paging: the offset a page starts at, and the paging headers of the answer. */

// bench/floor-server.ts still imports parsePaging from here; it lives in movens.request.ts with the other parsing.
export { parsePaging } from './movens.request';

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
