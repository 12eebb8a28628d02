import { ApiProperty } from '@nestjs/swagger';
import { MovensError } from './movens.errors';

// ---- requests ---------------------------------------------------------------------------------------------------

export class MovensRevokeRequest {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 123,
    description: 'The session ID (`ID` in user-sessions).',
  })
  Session: number;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * The `Session` of a revoke body, matched case-insensitively as ASP.NET's JSON binding does. A body that is not an
 * object, or whose Session is missing or not an int32 integer, is err_InvalidRequest.
 */
export function parseRevokeRequest(body: unknown): number {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MovensError('err_InvalidRequest');
  const record = body as Record<string, unknown>;
  const key = 'Session' in record ? 'Session' : Object.keys(record).find((k) => k.toLowerCase() === 'session');
  const value = key === undefined ? undefined : record[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new MovensError('err_InvalidRequest');
  }
  return value;
}

const GUID_FORMS = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^\(([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\)$/i,
];

/** A user GUID in any of .NET's D, N, B or P forms, as lower-case D; anything else is err_InvalidGuid. */
export function parseGuid(text: string): string {
  for (const form of GUID_FORMS) {
    const match = form.exec(text);
    if (match) return match.slice(1).join('-').toLowerCase();
  }
  throw new MovensError('err_InvalidGuid');
}

// ---- responses (OpenAPI schemas; the mapper builds the JSON) -------------------------------------------------------

export class MovensUserSessionCount {
  @ApiProperty({ format: 'uuid', example: '83bde819-ec08-4cee-b635-884145630d0b' }) UserGuid: string;
  @ApiProperty({ example: 'user' }) UserName: string;
  @ApiProperty({ type: 'integer', format: 'int32', example: 1, description: 'Live sessions of this user.' })
  SessionCount: number;
  @ApiProperty({ example: true }) IsOperator: boolean;
}

export class MovensUserSession {
  @ApiProperty({ type: 'integer', format: 'int64', example: 275 }) ID: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 4 }) UserID: number;
  @ApiProperty({ format: 'uuid', example: '83bde819-ec08-4cee-b635-884145630d0b' }) UserGuid: string;
  @ApiProperty({ format: 'date-time', example: '2020-09-21T10:42:50Z', description: 'Last activity.' })
  LastUpdated: string;
  @ApiProperty({ format: 'date-time', example: '2020-09-23T10:42:50Z' }) ExpirationDate: string;
  @ApiProperty({ example: 'user' }) UserName: string;
  @ApiProperty({ example: true }) IsOperator: boolean;
  @ApiProperty({ type: String, nullable: true, example: '-', description: '"{brand}-{model}"; "-" when unknown.' })
  Smartphone: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Other- v. ',
    description: '"{name}- v. {version}"; "Other- v. " when unknown.',
  })
  OperatingSystem: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Other- v. ',
    description: '"{name}- v. {version}"; "Other- v. " when unknown.',
  })
  Application: string | null;
}

export class MovensMessage {
  @ApiProperty({
    enum: ['err_InvalidRequest', 'err_InvalidGuid', 'err_NoActiveSession'],
    example: 'err_NoActiveSession',
  })
  Message: string;
}

export class MovensEmpty {}
