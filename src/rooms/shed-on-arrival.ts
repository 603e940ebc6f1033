import type { onRequestHookHandler } from 'fastify';
import { sendProblem } from '../http/error-handler.js';
import { problemFromNotSent } from '../problems/from-error.js';
import type { TencentClient } from '../tencent/client.js';
import type { CommandName } from '../tencent/commands.js';

/**
 * A route's onRequest hook (after authentication) that answers 429 at once while the command's limit sheds
 * sustained overload, before the body is read, parsed or validated and before the handler runs. Under a flood
 * those steps are most of what a refusal costs, and the gateway's one event loop spends it for every refused
 * request while the admitted ones wait behind it (bench/ANALYSIS.md, ninth round). The price: while shedding, a
 * request is refused whatever its body says, so an invalid one gets its 400 on the retry, and its log line has no
 * RoomId (nothing was read). Outside shedding, and for whatever this lets through, the handler's own call decides
 * as always, after validation.
 */
export function shedOnArrival(tencent: TencentClient, command: CommandName): onRequestHookHandler {
  return (request, reply, done) => {
    const refusal = tencent.refuseEarly(command);
    if (!refusal) {
      done();
      return;
    }
    sendProblem(request, reply, problemFromNotSent(refusal));
  };
}
