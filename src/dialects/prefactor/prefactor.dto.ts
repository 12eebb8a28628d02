import { SessionStatus, SessionType } from '../../sessions/session.model';

/**
 * Prefactor's response shapes (snake_case, PFIDs, Unix seconds), as the mapper builds them. The OpenAPI document
 * (prefactor.openapi.ts) is written by hand in Prefactor's own schema names.
 */

export interface InteractionDetails {
  at: number;
  remote_ip: string | null;
  user_agent: string;
  asn?: number;
  city?: string;
  country_code?: string;
  lat_long?: [number, number];
  region_code?: string;
  timezone?: string;
}

export interface SessionSummary {
  account_id: string;
  authenticated_identity_id: string;
  device_id: string;
  domain_id: string;
  first_seen: InteractionDetails | null;
  id: string;
  last_seen: InteractionDetails | null;
  pool_id: string;
  session_type: SessionType;
  status: SessionStatus;
  title: string;
  type: 'session';
}

export interface SessionAvailableActions {
  revoke: boolean;
}

export interface PaginationOutput {
  item_count: number;
  item_end: number;
  item_start: number;
  next_page_offset: number | null;
  page_count: number;
  page_index: number;
  page_offset: number;
  page_size: number;
  previous_page_offset: number | null;
}

export interface Sorting {
  field: string;
  direction: 'asc' | 'desc';
}

export interface SessionFetch {
  actions: SessionAvailableActions;
  summary: SessionSummary;
}

export interface SessionList {
  pagination: PaginationOutput;
  sorting: Sorting;
  status: 'success';
  summaries: SessionSummary[];
}
