import { keptBytes } from '../http/json-bytes';
import { isLive, Session } from '../sessions/session.model';
import { toHubSession } from './hub.mapper';

interface Written {
  lastSeen: Session['lastSeen'];
  expiresAt: Date;
  live: boolean;
  json: Buffer;
}

/**
 * About 1 KB each, and each keeps its session object alive: some 25 MB at most, where the live-session cache may
 * hold 100,000 sessions. Oldest out first.
 */
const MAX_WRITTEN = 10_000;
const written = new Map<Session, Written>();

/**
 * A session's hub JSON, exactly `JSON.stringify(toHubSession(session, now))` as bytes (json-bytes.ts), written once
 * per state of a session object: `validate` answers the same cached session thousands of times a second, and
 * mapping and writing it was 15 % of that endpoint's CPU. A session object changes only by having its `lastSeen`
 * and `expiresAt` replaced (the throttled activity write); `now` enters only through whether the session is live.
 * Anything else gives a new object (a new client, a read from the database), so these three decide whether the text
 * still holds.
 */
export function hubSessionJson(session: Session, now = new Date()): Buffer {
  const live = isLive(session, now);
  const last = written.get(session);
  if (last && last.lastSeen === session.lastSeen && last.expiresAt === session.expiresAt && last.live === live)
    return last.json;
  const json = keptBytes(JSON.stringify(toHubSession(session, now)));
  if (!last && written.size >= MAX_WRITTEN) written.delete(written.keys().next().value!);
  written.set(session, { lastSeen: session.lastSeen, expiresAt: session.expiresAt, live, json });
  return json;
}
