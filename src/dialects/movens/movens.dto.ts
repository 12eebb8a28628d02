import { ApiProperty } from '@nestjs/swagger';

/** MOVENS's responses: OpenAPI schemas and the types the mapper returns (it builds plain objects of these shapes). */

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
