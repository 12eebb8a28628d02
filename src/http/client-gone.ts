import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { ServerResponse } from 'node:http';

/** Calls `hungUp` once if the client closes the connection before `response` has been written in full. */
export function onHangUp(response: ServerResponse, hungUp: () => void): void {
  response.once('close', () => {
    if (!response.writableFinished) hungUp();
  });
}

/**
 * A signal that fires when the client hangs up before its answer is sent: the expensive reads pass it to the
 * database, which cancels the running statement instead of finishing work nobody will read.
 */
export const ClientGone = createParamDecorator((_: unknown, context: ExecutionContext): AbortSignal => {
  const reply = context.switchToHttp().getResponse<FastifyReply>();
  const gone = new AbortController();
  onHangUp(reply.raw, () => gone.abort());
  return gone.signal;
});
