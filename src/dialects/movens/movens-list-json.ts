import { Injectable } from '@nestjs/common';
import { HeldOrRead, RenderedRows } from '../../sessions/rows-held';
import { MovensSessionFacts, toMovensUserSession } from './movens.mapper';

/**
 * About 0.4 KB of JSON each: some 12 MB at most, the budget each face's kept rows get. A console that pages through
 * many users' sessions in turn (the bench asks for 1,000 users' first pages, 20,000 rows) finds them still kept;
 * with room for fewer, the oldest-out order would drop each row just before its turn came round again.
 */
const MAX_ROWS = 30_000;

/**
 * The user-sessions list's items as written JSON, by row version (see AuthentikRenderedRows). Their user's name and
 * operator flag come from `users`, so the version covers the user's row too (rowVersionOf).
 */
@Injectable()
export class MovensRenderedRows extends RenderedRows<string> {
  constructor() {
    super(MAX_ROWS);
  }
}

/** One user session's JSON: kept, or written now and kept. */
export function movensUserSessionJson(
  row: HeldOrRead<string, MovensSessionFacts>,
  rendered: MovensRenderedRows,
): string {
  return rendered.keep(row, (session) => JSON.stringify(toMovensUserSession(session)));
}
