import { Injectable } from '@nestjs/common';
import { HeldOrRead, RenderedRows } from '../../sessions/rows-held';
import { MovensSessionFacts, toMovensUserSession } from './movens.mapper';

/** About 0.4 KB of JSON each: some 4 MB at most. */
const MAX_ROWS = 10_000;

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
  return row.held ?? rendered.put(row.id, row.version, JSON.stringify(toMovensUserSession(row.session)));
}
