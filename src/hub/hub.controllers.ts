import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseFilters,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerGuard, CurrentCaller } from '../auth/caller.guard';
import { DomainError } from '../sessions/domain-error';
import { Caller } from '../sessions/session.model';
import { AccountsService } from '../sessions/accounts/accounts.service';
import { CredentialsService } from '../sessions/credentials/credentials.service';
import { SessionsService } from '../sessions/lifecycle/sessions.service';
import { HubExceptionFilter } from './hub-exception.filter';
import {
  CreateSessionDto,
  CreateTokenDto,
  CreateUserDto,
  ListQueryDto,
  RevokeAllDto,
  ValidateSessionDto,
} from './hub.dto';
import { toHubEvent, toHubSession, toHubToken, toHubUser } from './hub.mapper';

const hubValidation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
});

const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () => DomainError.invalid('uuid', 'Validation failed (uuid is expected)'),
});

function positiveIntParam(value: string): number {
  const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2147483647)
    throw DomainError.invalid('id', 'Validation failed (numeric string is expected)');
  return id;
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/hub/v1/users')
@UseGuards(CallerGuard)
@UseFilters(HubExceptionFilter)
@UsePipes(hubValidation)
export class HubUsersController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly sessions: SessionsService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a user (superusers only)' })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateUserDto) {
    return toHubUser(await this.accounts.createUser(caller, body));
  }

  @Get()
  @ApiOperation({ summary: 'List users (superusers only), ordered by username' })
  async list(@CurrentCaller() caller: Caller, @Query() query: ListQueryDto) {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 20;
    const page = await this.accounts.listUsers(caller, query.search, offset, limit);
    return { items: page.items.map(toHubUser), total: page.total, offset, limit };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user; others than superusers may read only themselves' })
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string) {
    return toHubUser(await this.accounts.getUser(caller, positiveIntParam(id)));
  }

  @Post(':id/sessions/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke every live session of a user, optionally keeping one' })
  async revokeAll(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: RevokeAllDto) {
    const except = body?.exceptSession ? { uuid: normalizeUuid(body.exceptSession) } : null;
    return { revoked: await this.sessions.revokeAllForUser(caller, positiveIntParam(id), except, 'hub') };
  }
}

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('api/hub/v1/tokens')
@UseGuards(CallerGuard)
@UseFilters(HubExceptionFilter)
@UsePipes(hubValidation)
export class HubTokensController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API token (superusers only); the key is shown once' })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateTokenDto) {
    const issued = await this.accounts.createToken(caller, {
      user: body.user,
      description: body.description,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
      identifier: body.identifier,
    });
    return { ...toHubToken(issued.token), key: issued.key };
  }

  @Get()
  @ApiOperation({ summary: "API tokens: all for superusers, else the caller's own. Keys are never shown again." })
  async list(@CurrentCaller() caller: Caller) {
    return (await this.accounts.listTokens(caller)).map(toHubToken);
  }

  @Delete(':identifier')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an API token' })
  async remove(@CurrentCaller() caller: Caller, @Param('identifier') identifier: string) {
    await this.accounts.deleteToken(caller, identifier);
  }
}

@ApiTags('sessions')
@Controller('api/hub/v1/sessions')
@UseFilters(HubExceptionFilter)
@UsePipes(hubValidation)
export class HubSessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly credentials: CredentialsService,
  ) {}

  @Post()
  @ApiBearerAuth()
  @UseGuards(CallerGuard)
  @ApiOperation({
    summary: "Create a session: the application's login call (superusers only); the token is shown once",
  })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateSessionDto) {
    const { session, token } = await this.sessions.createSession(caller, body);
    return { ...toHubSession(session), token };
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check a session token and record activity',
    description:
      'The token is its own credential, so no Authorization header is needed. 401 for an unknown, expired, ended or revoked token.',
  })
  async validate(@Body() body: ValidateSessionDto) {
    return toHubSession(await this.credentials.validate(body.token, body.ip, body.userAgent));
  }

  @Get(':uuid')
  @ApiBearerAuth()
  @UseGuards(CallerGuard)
  @ApiOperation({ summary: 'One session' })
  async get(@CurrentCaller() caller: Caller, @Param('uuid', uuidParam) uuid: string) {
    return toHubSession(await this.sessions.getSession(caller, { uuid }, 'hub'));
  }

  @Post(':uuid/end')
  @HttpCode(200)
  @ApiBearerAuth()
  @UseGuards(CallerGuard)
  @ApiOperation({ summary: 'Log out: end a session (status complete)' })
  async end(@CurrentCaller() caller: Caller, @Param('uuid', uuidParam) uuid: string) {
    return toHubSession(await this.sessions.endSession(caller, { uuid }, 'hub'));
  }

  @Get(':uuid/events')
  @ApiBearerAuth()
  @UseGuards(CallerGuard)
  @ApiOperation({ summary: 'What happened to a session: created, new IP, ended, revoked, expired' })
  async events(@CurrentCaller() caller: Caller, @Param('uuid', uuidParam) uuid: string) {
    return (await this.sessions.sessionEvents(caller, { uuid }, 'hub')).map(toHubEvent);
  }
}

function normalizeUuid(value: string): string {
  const hex = value.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
