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

export interface SessionQuery {
  /** Only sessions that are live now (status live and not expired). */
  liveOnly: boolean;
  userIds?: number[];
  poolId?: string;
  accountId?: string;
  username?: string;
  lastIp?: string;
  lastUserAgent?: string;
  /** Every term must appear, case-insensitively, in the username, last IP or last user agent. */
  searchTerms?: string[];
  order: SessionOrder[];
  offset: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Whether a caller who is not a superuser sees everyone's sessions: operators do on the admin console. */
export interface Visibility {
  operatorsSeeAll?: boolean;
  /** Prefactor: someone else's existing session is `not permitted` rather than `not found`. */
  othersNotPermitted?: boolean;
}
