import { Injectable } from '@nestjs/common';
import { joinedJson, keptBytes } from '../../http/json-bytes';
import { HeldOrRead, RenderedRows } from '../../sessions/rows-held';
import { isLive } from '../../sessions/session.model';
import { PaginationOutput, Sorting } from './prefactor.dto';
import { PrefactorSessionFacts, toSessionSummary } from './prefactor.mapper';

/** About 0.8 KB of JSON each: some 12 MB at most, the budget each face's kept rows get (see MovensRenderedRows). */
const MAX_ROWS = 15_000;

/**
 * The list's summaries as written JSON bytes, by session row version (see AuthentikRenderedRows): one per app, as a row
 * version means something only in the database it was read from.
 */
@Injectable()
export class PrefactorRenderedRows extends RenderedRows<Buffer> {
  constructor() {
    super(MAX_ROWS);
  }
}

/**
 * One summary's JSON: kept, or written now and kept. A live session's summary says `complete` once it expires,
 * with no write to its row, so it is kept only until its expiry.
 */
export function prefactorSummaryJson(
  row: HeldOrRead<Buffer, PrefactorSessionFacts>,
  rendered: PrefactorRenderedRows,
  now: Date,
): Buffer {
  return rendered.keep(
    row,
    (session) => keptBytes(JSON.stringify(toSessionSummary(session, now))),
    (session) => (isLive(session, now) ? session.expiresAt.getTime() : Infinity),
  );
}

/** SessionList as `JSON.stringify` writes toSessionList's object, the summaries' texts as they are. */
export function prefactorListJson(pagination: PaginationOutput, sorting: Sorting, summaries: Buffer[]): Buffer {
  const head = `{"pagination":${JSON.stringify(pagination)},"sorting":${JSON.stringify(sorting)},"status":"success","summaries":[`;
  return joinedJson(head, summaries, ']}');
}
