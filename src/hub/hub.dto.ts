import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import {
  DeviceClass,
  END_REASONS,
  EndReason,
  Face,
  SESSION_FACES,
  SESSION_STATUSES,
  SESSION_TYPES,
  SessionEvent,
  SessionStatus,
  SessionType,
} from '../sessions/session.model';

/**
 * The hub's responses: OpenAPI schemas and the types hub.mapper.ts returns (plain objects of these shapes, never
 * instances). camelCase keys, ISO 8601 dates.
 */

const UUID = { format: 'uuid', example: '83bde819-ec08-4cee-b635-884145630d0b' } as const;
const PFID = { example: '013xrzp12g3nqk8nkv4y96wrbzje9dsr', description: 'Prefactor id (PFID).' } as const;
const DATE = { format: 'date-time', example: '2026-11-22T10:00:00.000Z' } as const;
const NULLABLE_DATE = { ...DATE, type: String, nullable: true } as const;
const NULLABLE_STRING = { type: String, nullable: true } as const;
const NULLABLE_INT = { type: 'integer', nullable: true } as const;
const INT = { type: 'integer' } as const;

// ---- users ------------------------------------------------------------------------------------------------------

export class HubUser {
  @ApiProperty({ ...INT, example: 4 }) id: number;
  @ApiProperty(UUID) uuid: string;
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ example: 'Alice Example' }) name: string;
  @ApiProperty({ example: 'alice@example.com' }) email: string;
  @ApiProperty() isSuperuser: boolean;
  @ApiProperty({ description: 'Operators may use the MOVENS admin face.' }) isOperator: boolean;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ ...PFID, description: "The user's Prefactor identity id." }) identityId: string;
  @ApiProperty({
    ...NULLABLE_INT,
    example: 5,
    description: "This user's limit of live sessions; null: the deployment's (SESSION_LIMIT, 0 = none).",
  })
  maxSessions: number | null;
  @ApiProperty(DATE) createdAt: string;
}

export class HubUserPage {
  @ApiProperty({ type: [HubUser] }) items: HubUser[];
  @ApiProperty({ ...INT, description: 'How many users match, on all pages.' }) total: number;
  @ApiProperty({ ...INT, example: 0 }) offset: number;
  @ApiProperty({ ...INT, example: 20 }) limit: number;
}

// ---- tokens -----------------------------------------------------------------------------------------------------

export class HubTokenUser {
  @ApiProperty({ ...INT, example: 4 }) id: number;
  @ApiProperty({ example: 'alice' }) username: string;
}

export class HubToken {
  @ApiProperty({ example: 'ci-token' }) identifier: string;
  @ApiProperty({ type: HubTokenUser }) user: HubTokenUser;
  @ApiProperty({ example: 'CI pipeline' }) description: string;
  @ApiProperty({ ...NULLABLE_DATE, description: 'null: never expires.' }) expiresAt: string | null;
  @ApiProperty(NULLABLE_DATE) lastUsedAt: string | null;
  @ApiProperty(DATE) createdAt: string;
}

export class HubTokenWithKey extends HubToken {
  @ApiProperty({ description: 'The key, shown this once: send it as `Authorization: Bearer <key>`.' }) key: string;
}

// ---- sessions ---------------------------------------------------------------------------------------------------

export class HubSessionUser {
  @ApiProperty({ ...INT, example: 4 }) id: number;
  @ApiProperty(UUID) uuid: string;
  @ApiProperty({ example: 'alice' }) username: string;
}

export class HubSeen {
  @ApiProperty(DATE) at: string;
  @ApiProperty({ example: '203.0.113.7' }) ip: string;
  @ApiProperty() userAgent: string;
}

export class HubDevice {
  @ApiProperty({ ...NULLABLE_STRING, example: 'Apple' }) brand: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'iPhone 15' }) model: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'iOS' }) osName: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: '17.2' }) osVersion: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'Movens' }) appName: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: '3.4.1' }) appVersion: string | null;
}

export class HubUserAgentBrowser {
  @ApiProperty({ example: 'Safari' }) family: string;
  @ApiProperty(NULLABLE_STRING) major: string | null;
  @ApiProperty(NULLABLE_STRING) minor: string | null;
  @ApiProperty(NULLABLE_STRING) patch: string | null;
}

export class HubUserAgentOs {
  @ApiProperty({ example: 'Mac OS X' }) family: string;
  @ApiProperty(NULLABLE_STRING) major: string | null;
  @ApiProperty(NULLABLE_STRING) minor: string | null;
  @ApiProperty(NULLABLE_STRING) patch: string | null;
  @ApiProperty(NULLABLE_STRING) patch_minor: string | null;
}

export class HubUserAgentDevice {
  @ApiProperty({ example: 'Mac' }) family: string;
  @ApiProperty(NULLABLE_STRING) brand: string | null;
  @ApiProperty(NULLABLE_STRING) model: string | null;
}

/** The user agent as ua-parser reads it (snake_case, as ua-parser's own dicts). */
export class HubUserAgent {
  @ApiProperty() string: string;
  @ApiProperty({ type: HubUserAgentBrowser }) user_agent: HubUserAgentBrowser;
  @ApiProperty({ type: HubUserAgentOs }) os: HubUserAgentOs;
  @ApiProperty({ type: HubUserAgentDevice }) device: HubUserAgentDevice;
}

/** GeoIP facts about the last IP (authentik's geo_ip dict and more). */
export class HubGeo {
  @ApiProperty({ ...NULLABLE_STRING, example: 'EU' }) continent: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'DE' }) country: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 52.52 }) lat: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 13.405 }) long: number | null;
  @ApiProperty({ example: 'Berlin' }) city: string;
  @ApiProperty({ ...NULLABLE_STRING, example: 'BE' }) region_code: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'Europe/Berlin' }) timezone: string | null;
}

export class HubAsn {
  @ApiProperty({ ...NULLABLE_INT, example: 64496 }) asn: number | null;
  @ApiProperty({ ...NULLABLE_STRING, example: 'Example Networks' }) as_org: string | null;
  @ApiProperty({ ...NULLABLE_STRING, example: '203.0.113.0/24' }) network: string | null;
}

const DEVICE_CLASSES: DeviceClass[] = ['smartphone', 'tablet', 'desktop', 'bot', 'other'];

export class HubSession {
  @ApiProperty({ ...INT, example: 275 }) id: number;
  @ApiProperty(UUID) uuid: string;
  @ApiProperty(PFID) pfid: string;
  @ApiProperty({ type: HubSessionUser }) user: HubSessionUser;
  @ApiProperty({ enum: SESSION_STATUSES, description: 'A live status past the expiry reads as complete.' })
  status: SessionStatus;
  @ApiProperty({ description: 'Not ended, not revoked and not expired.' }) live: boolean;
  @ApiProperty({ enum: SESSION_TYPES }) sessionType: SessionType;
  @ApiProperty(PFID) accountId: string;
  @ApiProperty(PFID) domainId: string;
  @ApiProperty(PFID) poolId: string;
  @ApiProperty(PFID) identityId: string;
  @ApiProperty(PFID) deviceId: string;
  @ApiProperty({ example: 'Safari on Mac OS X' }) title: string;
  @ApiProperty(DATE) createdAt: string;
  @ApiProperty({ type: HubSeen }) firstSeen: HubSeen;
  @ApiProperty({ type: HubSeen }) lastSeen: HubSeen;
  @ApiProperty({ ...DATE, description: 'The effective expiry: the absolute one, or the idle one if earlier.' })
  expiresAt: string;
  @ApiProperty({ ...DATE, description: 'The latest it can live, however active: idle expiry never slides past it.' })
  absoluteExpiresAt: string;
  @ApiProperty({ ...NULLABLE_INT, example: 1800, description: 'Idle timeout in seconds; null: none.' })
  idleSeconds: number | null;
  @ApiProperty(NULLABLE_DATE) endedAt: string | null;
  @ApiProperty({ ...NULLABLE_INT, description: 'The user id of whoever ended or revoked it.' }) endedBy: number | null;
  @ApiProperty({ type: HubDevice, description: 'What the app reported at login.' }) device: HubDevice;
  @ApiProperty({ enum: DEVICE_CLASSES }) deviceClass: DeviceClass;
  @ApiProperty({ type: HubUserAgent }) userAgent: HubUserAgent;
  @ApiProperty({ type: HubGeo, nullable: true }) geo: HubGeo | null;
  @ApiProperty({ type: HubAsn, nullable: true }) asn: HubAsn | null;
}

export class HubSessionWithToken extends HubSession {
  @ApiProperty({ description: 'The session token, shown this once: what the application validates.' }) token: string;
}

export const EVENT_KINDS: SessionEvent['kind'][] = [
  'created',
  'validated_new_ip',
  'ended',
  'revoked',
  'expired',
  'new_device',
  'new_country',
  'impossible_travel',
];

export class HubSessionEvent {
  @ApiProperty({ ...INT, example: 1 }) id: number;
  @ApiProperty({ enum: EVENT_KINDS }) kind: SessionEvent['kind'];
  @ApiProperty({
    enum: END_REASONS,
    nullable: true,
    description:
      'Why the session ended (end events only): logout, revoke (one session), revoke_all (all of a user), credential_change (reported by the application), limit (evicted by a newer login), expiry.',
  })
  reason: EndReason | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'Security insight events only. new_device: {device, ip, knownDevices}; new_country: {country, city, ip, knownCountries}; impossible_travel: {from, to (each country, city, lat, long, ip, at), distanceKm, hours, speedKmh, maxSpeedKmh}.',
  })
  detail: Record<string, unknown> | null;
  @ApiProperty({ ...NULLABLE_INT, description: 'Who did it; null for the system.' }) actorUserId: number | null;
  @ApiProperty({ enum: SESSION_FACES, nullable: true, description: 'The face it happened through.' }) face: Face | null;
  @ApiProperty(DATE) at: string;
  @ApiProperty(NULLABLE_STRING) ip: string | null;
  @ApiProperty(NULLABLE_STRING) userAgent: string | null;
}

export class HubEvent extends HubSessionEvent {
  @ApiProperty({ ...UUID, description: 'The session it happened to.' }) sessionUuid: string;
  @ApiProperty({ ...INT, example: 4, description: "The session's user." }) userId: number;
}

export class HubEventPage {
  @ApiProperty({ type: [HubEvent], description: 'Newest first.' }) items: HubEvent[];
  @ApiProperty({ ...INT, description: 'How many events match, on all pages.' }) total: number;
  @ApiProperty({
    ...NULLABLE_INT,
    description: 'Pass as `before` for the next (older) page; null on the last page.',
  })
  nextBefore: number | null;
}

export class HubRevoked {
  @ApiProperty({ ...INT, example: 2, description: 'How many sessions were revoked.' }) revoked: number;
}

// ---- errors -----------------------------------------------------------------------------------------------------

export class HubError {
  @ApiProperty({ ...INT, example: 404 }) statusCode: number;
  @ApiProperty({ example: 'Not Found' }) error: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'Session not found.',
    description: 'What went wrong; for refused input, one message per problem.',
  })
  message: string | string[];
}

type HubErrorStatus =
  | HttpStatus.BAD_REQUEST
  | HttpStatus.UNAUTHORIZED
  | HttpStatus.FORBIDDEN
  | HttpStatus.NOT_FOUND
  | HttpStatus.CONFLICT
  | HttpStatus.TOO_MANY_REQUESTS;

/** The error answers of an operation, each with its description; all have the HubError body. */
export function HubErrors(descriptions: Partial<Record<HubErrorStatus, string>>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(descriptions).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: HubError }),
    ),
  );
}

export const BAD_INPUT = { [HttpStatus.BAD_REQUEST]: 'Refused input: `message` lists every problem.' } as const;
export const SIGNED_IN = {
  [HttpStatus.UNAUTHORIZED]: 'No credentials, or a bad, expired or revoked token; with `WWW-Authenticate: Bearer`.',
} as const;
export const SUPERUSERS = { [HttpStatus.FORBIDDEN]: 'The caller is not a superuser.' } as const;
