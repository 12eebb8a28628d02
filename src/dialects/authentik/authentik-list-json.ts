import { Injectable } from '@nestjs/common';
import { HeldOrRead, RenderedRows } from '../../sessions/rows-held';
import { joinedJson, keptBytes } from '../../http/json-bytes';
import { Pagination } from './authentik.dto';
import { AuthentikSessionFacts, toAuthenticatedSession } from './authentik.mapper';

/** About 1.2 KB of JSON each: some 12 MB at most, the budget each face's kept rows get (see MovensRenderedRows). */
const MAX_ROWS = 10_000;

/**
 * The list's items as written JSON bytes (json-bytes.ts), by session row version, each as `JSON.stringify` writes
 * the mapper's object for a caller who is not on that session (the retrieve's exact text). One per app, never shared
 * across processes' databases: a row version means something only in the database it was read from.
 */
@Injectable()
export class AuthentikRenderedRows extends RenderedRows<Buffer> {
  constructor() {
    super(MAX_ROWS);
  }
}

const NOT_CURRENT = '"current":false';
const CURRENT = '"current":true';

/** One item's JSON: kept, or written now and kept; `current` for the caller's own session. */
export function authentikItemJson(
  row: HeldOrRead<Buffer, AuthentikSessionFacts>,
  rendered: AuthentikRenderedRows,
  callerSessionId: number | null,
): Buffer {
  const bytes = rendered.keep(row, (session) => keptBytes(JSON.stringify(toAuthenticatedSession(session, null))));
  // The first `"current":` is the item's own (it follows the uuid, which holds no quote).
  return callerSessionId === row.id ? Buffer.from(bytes.toString().replace(NOT_CURRENT, CURRENT)) : bytes;
}

/**
 * PaginatedAuthenticatedSessionList as authentik writes it (compact, its keys in the document's order), the items'
 * texts as they are: what JSON.stringify writes of the mapped page.
 */
export function authentikListJson(pagination: Pagination, items: Buffer[]): Buffer {
  return joinedJson(`{"pagination":${JSON.stringify(pagination)},"results":[`, items, '],"autocomplete":{}}');
}
