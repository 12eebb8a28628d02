import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Ip,
  Param,
  Patch,
  Req,
  Res,
  Post,
  Query,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CallerGuard, CurrentCaller } from '../auth/caller.guard';
import { ClientGone } from '../http/client-gone';
import { JSON_UTF8 } from '../http/json-body';
import { RateLimits } from '../ops/rate-limits';
import { BEARER_SCHEME_NAME } from '../docs/bearer-auth';
import { FastifyReply, FastifyRequest } from 'fastify';
import { logFacts } from '../ops/logging';
import { DomainError, refusalReason } from '../sessions/domain-error';
import { Caller } from '../sessions/session.model';
import { AccountsService } from '../sessions/accounts/accounts.service';
import { CredentialsService } from '../sessions/credentials/credentials.service';
import { SessionsService } from '../sessions/lifecycle/sessions.service';
import { HubExceptionFilter } from './hub-exception.filter';
import { hubSessionJson } from './hub-session-json';
import {
  BAD_INPUT,
  HubErrors,
  HubEventPage,
  HubRevoked,
  HubSession,
  HubSessionEvent,
  HubSessionWithToken,
  HubToken,
  HubTokenWithKey,
  HubUser,
  HubUserPage,
  SIGNED_IN,
  SUPERUSERS,
} from './hub.dto';
import {
  toHubEvent,
  toHubEventPage,
  toHubSession,
  toHubSessionWithToken,
  toHubToken,
  toHubTokenWithKey,
  toHubUser,
  toHubUserPage,
} from './hub.mapper';
import {
  CreateSessionRequest,
  CreateTokenRequest,
  CreateUserRequest,
  CredentialChangeRequest,
  hubValidation,
  ListEventsQuery,
  ListUsersQuery,
  normalizeUuid,
  positiveIntParam,
  RevokeAllRequest,
  UpdateUserRequest,
  uuidParam,
  ValidateSessionRequest,
} from './hub.request';

const BAD_UUID = { 400: 'The uuid is not a uuid.' } as const;
const NO_SESSION = { 404: 'No such session, or not one of the caller.' } as const;

@ApiTags('users')
@ApiBearerAuth(BEARER_SCHEME_NAME)
@HubErrors(SIGNED_IN)
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
  @ApiCreatedResponse({ type: HubUser })
  @HubErrors({ ...BAD_INPUT, ...SUPERUSERS, 409: 'A user with that username exists.' })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateUserRequest): Promise<HubUser> {
    return toHubUser(await this.accounts.createUser(caller, body));
  }

  @Get()
  @ApiOperation({ summary: 'List users (superusers only), ordered by username' })
  @ApiOkResponse({ type: HubUserPage })
  @HubErrors({ ...BAD_INPUT, ...SUPERUSERS })
  async list(@CurrentCaller() caller: Caller, @Query() query: ListUsersQuery): Promise<HubUserPage> {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 20;
    return toHubUserPage(await this.accounts.listUsers(caller, query.search, offset, limit), offset, limit);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user; others than superusers may read only themselves' })
  @ApiOkResponse({ type: HubUser })
  @HubErrors({ 400: 'The id is not a positive integer.', 404: 'No such user, or not the caller.' })
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<HubUser> {
    return toHubUser(await this.accounts.getUser(caller, positiveIntParam(id)));
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's own limit of live sessions (superusers only)" })
  @ApiOkResponse({ type: HubUser })
  @HubErrors({ ...BAD_INPUT, ...SUPERUSERS, 404: 'No such user.' })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateUserRequest,
  ): Promise<HubUser> {
    const userId = positiveIntParam(id);
    if (body.maxSessions === undefined) return toHubUser(await this.accounts.getUser(caller, userId));
    return toHubUser(await this.accounts.setMaxSessions(caller, userId, body.maxSessions));
  }

  @Post(':id/credential-change')
  @HttpCode(200)
  @ApiOperation({
    summary: "After a password reset or role change: end every session of the user, optionally except the caller's",
    description:
      'One action: every live session of the user is revoked in one transaction, each with the reason credential_change. Keep one session with exceptSession (its uuid) or keepCurrentSession (the session whose token authenticates this call).',
  })
  @ApiOkResponse({ type: HubRevoked })
  @HubErrors({ ...BAD_INPUT, 404: 'No such user, or not the caller.' })
  async credentialChange(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: CredentialChangeRequest,
  ): Promise<HubRevoked> {
    if (body?.exceptSession && body.keepCurrentSession)
      throw DomainError.invalid('exceptSession', 'Give exceptSession or keepCurrentSession, not both.');
    if (body?.keepCurrentSession && caller.sessionId === null) {
      throw DomainError.invalid(
        'keepCurrentSession',
        'keepCurrentSession needs the session token as the credential: this call has no current session.',
      );
    }
    const except = body?.exceptSession
      ? { uuid: normalizeUuid(body.exceptSession) }
      : body?.keepCurrentSession
        ? { id: caller.sessionId! }
        : null;
    const revoked = await this.sessions.revokeAllForUser(
      caller,
      positiveIntParam(id),
      except,
      'hub',
      'credential_change',
    );
    return { revoked };
  }

  @Post(':id/sessions/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke every live session of a user, optionally keeping one' })
  @ApiOkResponse({ type: HubRevoked })
  @HubErrors({ ...BAD_INPUT, 404: 'No such user, or not the caller.' })
  async revokeAll(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: RevokeAllRequest,
  ): Promise<HubRevoked> {
    const except = body?.exceptSession ? { uuid: normalizeUuid(body.exceptSession) } : null;
    return { revoked: await this.sessions.revokeAllForUser(caller, positiveIntParam(id), except, 'hub') };
  }
}

@ApiTags('tokens')
@ApiBearerAuth(BEARER_SCHEME_NAME)
@HubErrors(SIGNED_IN)
@Controller('api/hub/v1/tokens')
@UseGuards(CallerGuard)
@UseFilters(HubExceptionFilter)
@UsePipes(hubValidation)
export class HubTokensController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API token (superusers only); the key is shown once' })
  @ApiCreatedResponse({ type: HubTokenWithKey })
  @HubErrors({ ...BAD_INPUT, ...SUPERUSERS, 404: 'No such user.', 409: 'A token with that identifier exists.' })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateTokenRequest): Promise<HubTokenWithKey> {
    const issued = await this.accounts.createToken(caller, {
      user: body.user,
      description: body.description,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
      identifier: body.identifier,
    });
    return toHubTokenWithKey(issued);
  }

  @Get()
  @ApiOperation({ summary: "API tokens: all for superusers, else the caller's own. Keys are never shown again." })
  @ApiOkResponse({ type: HubToken, isArray: true })
  async list(@CurrentCaller() caller: Caller): Promise<HubToken[]> {
    return (await this.accounts.listTokens(caller)).map(toHubToken);
  }

  @Delete(':identifier')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an API token' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @HubErrors({ 404: 'No such token, or not one of the caller.' })
  async remove(@CurrentCaller() caller: Caller, @Param('identifier') identifier: string): Promise<void> {
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
    private readonly limits: RateLimits,
  ) {}

  @Post()
  @ApiBearerAuth(BEARER_SCHEME_NAME)
  @UseGuards(CallerGuard)
  @ApiOperation({
    summary: "Create a session: the application's login call (superusers only); the token is shown once",
  })
  @ApiCreatedResponse({ type: HubSessionWithToken })
  @HubErrors({
    ...BAD_INPUT,
    ...SIGNED_IN,
    403: 'The caller is not a superuser; or the login is refused: the user is deactivated, or TRAVEL_POLICY=refuse saw an impossible journey.',
    404: 'No such user.',
    429: 'Too many logins of this user.',
  })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateSessionRequest,
    @Ip() address: string,
  ): Promise<HubSessionWithToken> {
    await this.limits.login(address, body.user);
    return toHubSessionWithToken(await this.sessions.createSession(caller, body));
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check a session token and record activity',
    description:
      'The token is its own credential, so no Authorization header is needed. 401 for an unknown, expired, ended or revoked token, or one whose user is deactivated.',
  })
  @ApiOkResponse({ type: HubSession, description: 'The session is live; its last activity is now.' })
  @HubErrors({
    ...BAD_INPUT,
    401: 'An unknown, expired, ended or revoked token, or one whose user is deactivated.',
    429: 'Too many validate calls, or too many unknown tokens, from this address.',
  })
  async validate(
    @Body() body: ValidateSessionRequest,
    @Ip() address: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    await this.limits.validate(address);
    await this.limits.beforeAuthentication(address, body.token);
    try {
      const session = await this.credentials.validate(body.token, body.ip, body.userAgent);
      logFacts(request).userId = session.userId;
      // HubSession's JSON, as Fastify would write it, kept while the cached session is unchanged (hub-session-json.ts).
      reply.type(JSON_UTF8);
      return hubSessionJson(session);
    } catch (error) {
      const reason = refusalReason(error);
      logFacts(request).authFailure = reason;
      // Only a guess counts as a failed authentication: an application validates the tokens of sessions that ended
      // (a logout, an eviction, an expiry) as a matter of course, and its address must not be throttled for it.
      if (reason === 'unknown_key') await this.limits.authenticationFailed(address, body.token);
      throw error;
    }
  }

  @Get(':uuid')
  @ApiBearerAuth(BEARER_SCHEME_NAME)
  @UseGuards(CallerGuard)
  @ApiOperation({ summary: 'One session' })
  @ApiOkResponse({ type: HubSession })
  @HubErrors({ ...BAD_UUID, ...SIGNED_IN, ...NO_SESSION })
  async get(@CurrentCaller() caller: Caller, @Param('uuid', uuidParam) uuid: string): Promise<HubSession> {
    return toHubSession(await this.sessions.getSession(caller, { uuid }, 'hub'));
  }

  @Post(':uuid/end')
  @HttpCode(200)
  @ApiBearerAuth(BEARER_SCHEME_NAME)
  @UseGuards(CallerGuard)
  @ApiOperation({ summary: 'Log out: end a session (status complete)' })
  @ApiOkResponse({ type: HubSession })
  @HubErrors({ ...BAD_UUID, ...SIGNED_IN, ...NO_SESSION, 409: 'The session is no longer active.' })
  async end(@CurrentCaller() caller: Caller, @Param('uuid', uuidParam) uuid: string): Promise<HubSession> {
    return toHubSession(await this.sessions.endSession(caller, { uuid }, 'hub'));
  }

  @Get(':uuid/events')
  @ApiBearerAuth(BEARER_SCHEME_NAME)
  @UseGuards(CallerGuard)
  @ApiOperation({ summary: 'What happened to a session: created, new IP, ended, revoked, expired' })
  @ApiOkResponse({ type: HubSessionEvent, isArray: true })
  @HubErrors({ ...BAD_UUID, ...SIGNED_IN, ...NO_SESSION })
  async events(@CurrentCaller() caller: Caller, @Param('uuid', uuidParam) uuid: string): Promise<HubSessionEvent[]> {
    return (await this.sessions.sessionEvents(caller, { uuid }, 'hub')).map(toHubEvent);
  }
}

@ApiTags('events')
@ApiBearerAuth(BEARER_SCHEME_NAME)
@HubErrors(SIGNED_IN)
@Controller('api/hub/v1/events')
@UseGuards(CallerGuard)
@UseFilters(HubExceptionFilter)
@UsePipes(hubValidation)
export class HubEventsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({
    summary:
      'The history of all sessions, newest first: superusers see every event, others those of their own sessions',
    description:
      "Filters combine with AND; the total is exact. Page with `before`: pass the previous answer's `nextBefore`.",
  })
  @ApiOkResponse({ type: HubEventPage })
  @HubErrors(BAD_INPUT)
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: ListEventsQuery,
    @ClientGone() clientGone: AbortSignal,
  ): Promise<HubEventPage> {
    const filters = {
      userId: query.user,
      sessionUuid: query.session?.toLowerCase(),
      kind: query.kind,
      reason: query.reason,
      face: query.face,
      actorUserId: query.actor,
      since: query.since === undefined ? undefined : new Date(query.since),
      until: query.until === undefined ? undefined : new Date(query.until),
    };
    const page = await this.sessions.listEvents(
      caller,
      { filters, before: query.before, limit: query.limit ?? 50 },
      clientGone,
    );
    return toHubEventPage(page);
  }
}
