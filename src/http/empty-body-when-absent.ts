import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * A preValidation hook for routes that take no body but validate the one they get against `NoBody`: an absent
 * body becomes `{}` so it passes, while a body with anything but `api` in it is refused like any unknown field
 * (a client sending `{"uuid": …}` to `DELETE /sessions` must not revoke every other session by mistake).
 */
export function emptyBodyWhenAbsent(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (request.body === undefined) request.body = {};
  done();
}
