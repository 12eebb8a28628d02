import { Injectable } from '@nestjs/common';
import { joinedJson, keptBytes } from '../../http/json-bytes';
import { HeldOrRead, RenderedRows } from '../../sessions/rows-held';
import { MovensSessionFacts, toMovensUserSession } from './movens.mapper';

/**
 * About 0.4 KB of JSON each: some 12 MB at most, the budget each face's kept rows get. A console that pages through
 * many users' sessions in turn (the bench asks for 1,000 users' first pages, 20,000 rows) finds them still kept;
 * with room for fewer, the oldest-out order would drop each row just before its turn came round again.
 */
const MAX_ROWS = 30_000;

/**
 * The user-sessions list's items as written JSON bytes, by row version (see AuthentikRenderedRows). Their user's
 * name and operator flag come from `users`, so the version covers the user's row too (rowVersionOf).
 */
@Injectable()
export class MovensRenderedRows extends RenderedRows<Buffer> {
  constructor() {
    super(MAX_ROWS);
  }
}

/** One user session's JSON: kept, or written now and kept. */
export function movensUserSessionJson(
  row: HeldOrRead<Buffer, MovensSessionFacts>,
  rendered: MovensRenderedRows,
): Buffer {
  return rendered.keep(row, (session) => keptBytes(JSON.stringify(toMovensUserSession(session))));
}

/** The user-sessions answer: a JSON array of the items' bytes. */
export function movensUserSessionsJson(items: Buffer[]): Buffer {
  return joinedJson('[', items, ']');
}
