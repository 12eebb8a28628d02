import { applyDecorators, ParseUUIDPipe } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  isISO8601,
  IsEmail,
  IsIn,
  IsInt,
  IsIP,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { CompiledValidationPipe } from '../http/compiled-validation';
import { DomainError } from '../sessions/domain-error';
import { END_REASONS, EndReason, Face, SESSION_FACES, SessionEvent } from '../sessions/session.model';
import { EVENT_KINDS } from './hub.dto';
import { PFID_PATTERN } from '../sessions/pfid';

/** Everything the hub reads from a request: bodies and queries (validated classes), and path parameters. */

/** Bodies and queries: unknown fields refused, every problem listed (400 `message: string[]`). */
export const hubValidation = new CompiledValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
});

/** A session uuid path parameter. */
export const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () => DomainError.invalid('uuid', 'Validation failed (uuid is expected)'),
});

/** A user id path parameter: a positive int32. */
export function positiveIntParam(value: string): number {
  const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647)
    throw DomainError.invalid('id', 'Validation failed (numeric string is expected)');
  return id;
}

/** A uuid in the hyphenated or the bare 32-digit form, as lower-case hyphenated. */
export function normalizeUuid(value: string): string {
  const hex = value.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const PFID_EXAMPLE = '013xrzp12g3nqk8n6cyr5x0k8yb10h59';

/** An optional Prefactor id (PFID), documented and validated together. */
function OptionalPfid(field: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example: PFID_EXAMPLE, pattern: PFID_PATTERN.source }),
    IsOptional(),
    IsString(),
    Matches(PFID_PATTERN, { message: `${field} must be a valid ID` }),
  );
}

/** A user given as integer id, uuid or username, documented and validated together. */
function UserRef(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      oneOf: [{ type: 'integer' }, { type: 'string' }],
      // `admin` exists on every install (the first start creates it): the example login works as it stands.
      example: 'admin',
      description: 'User id, uuid or username.',
    }),
    ValidateBy({
      name: 'isUserRef',
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 2147483647) ||
          (typeof value === 'string' && value.length > 0 && value.length <= 150),
        defaultMessage: () => 'user must be a user id, uuid or username',
      },
    }),
  );
}

const MAX_SESSIONS_DESCRIPTION =
  "This user's limit of live sessions at once, overriding SESSION_LIMIT; null: the deployment's limit.";

/** A user's own session limit: a positive integer, or null for the deployment's. */
function MaxSessions(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      nullable: true,
      minimum: 1,
      maximum: 1_000_000,
      example: 5,
      description: MAX_SESSIONS_DESCRIPTION,
    }),
    IsOptional(),
    IsInt({ message: 'maxSessions must be a positive integer or null' }),
    Min(1),
    Max(1_000_000),
  );
}

export class CreateUserRequest {
  @ApiProperty({ example: 'alice', description: 'Unique; letters, digits and @/./+/-/_.' })
  @IsString()
  @Matches(/^[\w.@+-]{1,150}$/, { message: 'username must be 1-150 letters, digits and @/./+/-/_' })
  username: string;

  @ApiPropertyOptional({ example: 'Alice Example' }) @IsOptional() @IsString() @MaxLength(300) name?: string;
  @ApiPropertyOptional({ example: 'alice@example.com' }) @IsOptional() @IsEmail() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() isSuperuser?: boolean;
  @ApiPropertyOptional({ default: false, description: 'Operators may use the MOVENS admin face.' })
  @IsOptional()
  @IsBoolean()
  isOperator?: boolean;
  @MaxSessions() maxSessions?: number | null;
}

export class UpdateUserRequest {
  @MaxSessions() maxSessions?: number | null;
}

/** A page size in a query: 1 to 100, documented with its default and validated together. */
function PageLimitQuery(defaultLimit: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ default: defaultLimit, minimum: 1, maximum: 100 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(100),
  );
}

export class ListUsersQuery {
  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  offset?: number;
  @PageLimitQuery(20) limit?: number;
  @ApiPropertyOptional({ description: 'Case-insensitive substring of username, name or email.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;
}

/** ISO 8601's calendar dates with an optional time and offset: the forms Date reads, and reads right. */
const CALENDAR_DATE_TIME = /^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?)?)?$/;

/**
 * An ISO 8601 date and time the service can read. ISO 8601's grammar (IsDateString) also admits week dates
 * (2026-W01), basic forms (20260101T000000Z) and ordinal dates (2026-032), which Date cannot read (an invalid Date
 * past validation) or reads wrong: a value must be a calendar date in ISO 8601 (no 30 February either).
 */
function IsDateTime(): PropertyDecorator {
  return ValidateBy({
    name: 'isDateTime',
    validator: {
      validate: (value) =>
        typeof value === 'string' &&
        CALENDAR_DATE_TIME.test(value) &&
        isISO8601(value, { strict: true }) &&
        !Number.isNaN(Date.parse(value)),
      defaultMessage: (args) => `${args?.property} must be an ISO 8601 date and time, e.g. 2030-01-01T00:00:00Z`,
    },
  });
}

export class CreateTokenRequest {
  @UserRef()
  user: number | string;

  @ApiPropertyOptional({ example: 'CI pipeline' }) @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ example: '2030-01-01T00:00:00Z' }) @IsOptional() @IsDateTime() expiresAt?: string;
  @ApiPropertyOptional({ example: 'ci-token', description: 'Defaults to the username and a random suffix.' })
  @IsOptional()
  @IsString()
  @Matches(/^[\w.-]{1,100}$/, { message: 'identifier must be 1-100 letters, digits, dots, dashes or underscores' })
  identifier?: string;
}

export class DeviceRequest {
  @ApiPropertyOptional({ example: 'Apple' }) @IsOptional() @IsString() @MaxLength(100) brand?: string;
  @ApiPropertyOptional({ example: 'iPhone 15' }) @IsOptional() @IsString() @MaxLength(100) model?: string;
  @ApiPropertyOptional({ example: 'iOS' }) @IsOptional() @IsString() @MaxLength(100) osName?: string;
  @ApiPropertyOptional({ example: '17.2' }) @IsOptional() @IsString() @MaxLength(50) osVersion?: string;
  @ApiPropertyOptional({ example: 'Movens' }) @IsOptional() @IsString() @MaxLength(100) appName?: string;
  @ApiPropertyOptional({ example: '3.4.1' }) @IsOptional() @IsString() @MaxLength(50) appVersion?: string;
}

export class CreateSessionRequest {
  @UserRef()
  user: number | string;

  @ApiProperty({ example: '203.0.113.7' })
  @IsIP(undefined, { message: 'ip must be an IPv4 or IPv6 address' })
  ip: string;
  @ApiProperty({
    example:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  })
  @IsString()
  @MaxLength(2048)
  userAgent: string;

  @ApiPropertyOptional({ enum: ['browser', 'api'], default: 'browser' })
  @IsOptional()
  @IsIn(['browser', 'api'])
  sessionType?: 'browser' | 'api';
  @ApiPropertyOptional({
    enum: ['new', 'unauthenticated', 'authenticated'],
    default: 'authenticated',
    example: 'authenticated',
  })
  @IsOptional()
  @IsIn(['new', 'unauthenticated', 'authenticated'])
  status?: 'new' | 'unauthenticated' | 'authenticated';
  @ApiPropertyOptional({
    example: 86400,
    minimum: 1,
    maximum: 366 * 24 * 3600,
    description:
      'Absolute lifetime: the session ends then however active it is. Defaults to SESSION_TTL_SECONDS (browser) or API_SESSION_TTL_SECONDS (api).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(366 * 24 * 3600)
  ttlSeconds?: number;
  @ApiPropertyOptional({
    example: 1800,
    minimum: 0,
    maximum: 366 * 24 * 3600,
    description:
      'Idle timeout: no validate for this long ends the session (reason idle); each validate slides the expiry, never past the absolute one. 0: none. Defaults to SESSION_IDLE_SECONDS (browser) or API_SESSION_IDLE_SECONDS (api).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(366 * 24 * 3600)
  idleSeconds?: number;
  @OptionalPfid('accountId')
  accountId?: string;
  @OptionalPfid('domainId')
  domainId?: string;
  @OptionalPfid('poolId')
  poolId?: string;
  @OptionalPfid('deviceId')
  deviceId?: string;
  @ApiPropertyOptional({ example: 'Safari on Mac OS X' }) @IsOptional() @IsString() @Length(0, 200) title?: string;
  @ApiPropertyOptional({ type: DeviceRequest })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceRequest)
  device?: DeviceRequest;
}

export class ValidateSessionRequest {
  @ApiProperty({ description: 'The session token returned by POST /sessions.' })
  @IsString()
  @Length(1, 512)
  token: string;
  @ApiPropertyOptional({ example: '203.0.113.7' })
  @IsOptional()
  @IsIP(undefined, { message: 'ip must be an IPv4 or IPv6 address' })
  ip?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) userAgent?: string;
}

export class CredentialChangeRequest {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A session of this user to keep: the one the password or role change was made in.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, {
    message: 'exceptSession must be a session uuid',
  })
  exceptSession?: string;
  @ApiPropertyOptional({
    default: false,
    description: "Keep the session whose token authenticates this call (the user's own session token as credential).",
  })
  @IsOptional()
  @IsBoolean()
  keepCurrentSession?: boolean;
}

export class RevokeAllRequest {
  @ApiPropertyOptional({ format: 'uuid', description: "A session of this user to keep (usually the caller's own)." })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, {
    message: 'exceptSession must be a session uuid',
  })
  exceptSession?: string;
}

/** An optional query parameter holding a user id: a positive int32, documented and validated together. */
function OptionalUserIdQuery(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: 2147483647, description }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(2147483647),
  );
}

/** The event history's filters and keyset page. */
export class ListEventsQuery {
  @OptionalUserIdQuery("Events of this user's sessions.") user?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'Events of one session.' })
  @IsOptional()
  @IsUUID('all', { message: 'session must be a session uuid' })
  session?: string;
  @ApiPropertyOptional({ enum: EVENT_KINDS }) @IsOptional() @IsIn(EVENT_KINDS) kind?: SessionEvent['kind'];
  @ApiPropertyOptional({ enum: END_REASONS }) @IsOptional() @IsIn(END_REASONS) reason?: EndReason;
  @ApiPropertyOptional({ enum: SESSION_FACES }) @IsOptional() @IsIn(SESSION_FACES) face?: Face;
  @OptionalUserIdQuery('Events done by this user (a logout, a revocation).') actor?: number;
  @ApiPropertyOptional({ format: 'date-time', description: 'At or after this time.' })
  @IsOptional()
  @IsDateTime()
  since?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Before this time.' })
  @IsOptional()
  @IsDateTime()
  until?: string;
  @ApiPropertyOptional({ minimum: 1, description: "Older than this event id: the previous page's nextBefore." })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  before?: number;
  @PageLimitQuery(50) limit?: number;
}
