/** Fields a face may order sessions by; each face maps its own names onto these. */
export const SESSION_SORT_FIELDS = [
  'id',
  'uuid',
  'user',
  'username',
  'status',
  'title',
  'last_ip',
  'last_user_agent',
  'last_seen',
  'expires',
  'created',
  // The Prefactor id: time-ordered like `id`, but it is the id Prefactor clients see, so they sort by it.
  'pfid',
] as const;
export type SessionSortField = (typeof SESSION_SORT_FIELDS)[number];

export interface SessionOrder {
  field: SessionSortField;
  descending: boolean;
}

/** Which sessions a list is about: what the counter tables can count without visiting rows. */
export interface SessionScope {
  /** Only sessions that are live now (status live and not expired). */
  liveOnly: boolean;
  userIds?: number[];
  poolId?: string;
  accountId?: string;
}

/** Narrowing within the scope: anything set here makes the total a real count. */
export interface SessionFilters {
  username?: string;
  lastIp?: string;
  lastUserAgent?: string;
  /** Every term must appear, case-insensitively, in the username, last IP or last user agent. */
  searchTerms?: string[];
}

export interface SessionQuery {
  scope: SessionScope;
  filters: SessionFilters;
  order: SessionOrder[];
  offset: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** A stored session's version: it changes whenever what a read's fields come from is written (rowVersionOf). */
export interface RowVersion {
  id: number;
  version: string;
}

/** A session as read, with its row's version. */
export interface Versioned<T> extends RowVersion {
  session: T;
}
