import {
  All,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { CallerGuard, CurrentCaller } from '../../auth/caller.guard';
import { ClientGone } from '../../http/client-gone';
import { JSON_UTF8 } from '../../http/json-body';
import { Caller } from '../../sessions/session.model';
import { SessionsService } from '../../sessions/lifecycle/sessions.service';
import { canRevoke } from '../../sessions/policy/access-policy';
import { NO_SUCH_ROUTE, PrefactorExceptionFilter } from './prefactor-exception.filter';
import { prefactorListJson, prefactorSummaryJson, PrefactorRenderedRows } from './prefactor-list-json';
import {
  PREFACTOR_FETCH_FIELDS,
  PREFACTOR_SESSION_FIELDS,
  toPaginationOutput,
  toSessionFetch,
} from './prefactor.mapper';
import {
  checkEmptyObjectBody,
  parseListQuery,
  parseSessionId,
  PrefactorRequestError,
  RawListQuery,
} from './prefactor.request';

@Controller('api/v1/session')
@UseGuards(CallerGuard)
@UseFilters(PrefactorExceptionFilter)
export class PrefactorSessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly rendered: PrefactorRenderedRows,
  ) {}

  @Get()
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: RawListQuery,
    @ClientGone() clientGone: AbortSignal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const request = parseListQuery(query ?? {}, caller.isSuperuser);
    const page = await this.sessions.listSessionsHeld(
      caller,
      {
        scope: { liveOnly: false, poolId: request.poolId, accountId: request.accountId },
        filters: {},
        order: [request.order],
        offset: request.offset,
        limit: request.pageSize,
      },
      'prefactor',
      PREFACTOR_SESSION_FIELDS,
      this.rendered,
      clientGone,
    );
    // Rows unchanged since an earlier list are not read nor written again (prefactor-list-json.ts).
    const now = new Date();
    const summaries = page.items.map((row) => prefactorSummaryJson(row, this.rendered, now));
    const pagination = toPaginationOutput(request.offset, request.pageSize, page.total, summaries.length);
    reply.type(JSON_UTF8);
    return prefactorListJson(pagination, request.sorting, summaries);
  }

  @Get(':session_id')
  async fetch(@CurrentCaller() caller: Caller, @Param('session_id') sessionId: string) {
    const ref = { pfid: parseSessionId(sessionId) };
    const session = await this.sessions.getSessionFields(caller, ref, 'prefactor', PREFACTOR_FETCH_FIELDS);
    return toSessionFetch(session, canRevoke(caller, session, 'prefactor'));
  }

  @Post(':session_id/revoke')
  @HttpCode(200)
  async revoke(@CurrentCaller() caller: Caller, @Param('session_id') sessionId: string, @Body() body: unknown) {
    const pfid = parseSessionId(sessionId);
    checkEmptyObjectBody(body);
    const session = await this.sessions.revokeSession(caller, { pfid }, 'prefactor');
    return toSessionFetch(session, canRevoke(caller, session, 'prefactor'));
  }
}

/** Paths this face answers and their methods, so the fallback can tell a wrong method from an unknown path. */
const ROUTES: { pattern: RegExp; methods: string[] }[] = [
  { pattern: /^\/api\/v1\/session\/?$/, methods: ['GET'] },
  { pattern: /^\/api\/v1\/session\/[^/]+\/?$/, methods: ['GET'] },
  { pattern: /^\/api\/v1\/session\/[^/]+\/revoke\/?$/, methods: ['POST'] },
];

/**
 * Everything else under /api/v1/ answers in Prefactor's words: a wrong method on a known path is `bad_request`,
 * an unknown path `not_found`. Fastify matches static and parametric routes before this wildcard, whatever the order.
 */
@ApiExcludeController()
@Controller('api/v1')
@UseFilters(PrefactorExceptionFilter)
export class PrefactorFallbackController {
  @All(['', '*'])
  fallback(@Req() request: { method: string; url: string }): never {
    const path = request.url.split('?')[0];
    const route = ROUTES.find((r) => r.pattern.test(path));
    if (route) {
      throw new PrefactorRequestError(
        'bad_request',
        `Method ${request.method} is not allowed here`,
        undefined,
        route.methods,
      );
    }
    throw new PrefactorRequestError('not_found', NO_SUCH_ROUTE);
  }
}
