/** authentik's response shapes (schema names as in authentik's OpenAPI document), in its JSON key order. */

export interface AuthenticatedSessionUserAgentUserAgent {
  family: string;
  /** Declared non-null by authentik's schema, yet authentik answers null for a part the parser did not find. */
  major: string | null;
  minor: string | null;
  patch: string | null;
}

export interface AuthenticatedSessionUserAgentOs {
  family: string;
  major: string | null;
  minor: string | null;
  patch: string | null;
  patch_minor: string | null;
}

export interface AuthenticatedSessionUserAgentDevice {
  family: string;
  brand: string | null;
  model: string | null;
}

export interface AuthenticatedSessionUserAgent {
  string: string;
  user_agent: AuthenticatedSessionUserAgentUserAgent;
  os: AuthenticatedSessionUserAgentOs;
  device: AuthenticatedSessionUserAgentDevice;
}

export interface AuthenticatedSessionGeoIp {
  continent: string | null;
  country: string | null;
  lat: number | null;
  long: number | null;
  city: string;
}

export interface AuthenticatedSessionAsn {
  asn: number | null;
  as_org: string | null;
  network: string | null;
}

export interface AuthenticatedSession {
  uuid: string;
  current: boolean;
  user_agent: AuthenticatedSessionUserAgent;
  geo_ip: AuthenticatedSessionGeoIp | null;
  asn: AuthenticatedSessionAsn | null;
  user: number;
  last_ip: string;
  last_user_agent: string;
  last_used: string;
  expires: string;
}

export interface Pagination {
  next: number;
  previous: number;
  count: number;
  current: number;
  total_pages: number;
  start_index: number;
  end_index: number;
}

export interface PaginatedAuthenticatedSessionList {
  pagination: Pagination;
  results: AuthenticatedSession[];
  autocomplete: Record<string, never>;
}

export interface BulkDeleteSessionResponse {
  deleted: number;
}

export interface GenericError {
  detail: string;
}
