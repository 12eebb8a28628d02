/**
 * Imported first by the event-history bench (bench/events.ts): unless BENCH_DATABASE_URL says otherwise it uses a
 * database of its own, whose millions of extra events would otherwise slow every other bench's logins.
 */
export const EVENTS_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/sessionhub_events';

if (!process.env.BENCH_DATABASE_URL) process.env.BENCH_DATABASE_URL = EVENTS_DATABASE_URL;
