import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { callerGone } from '../http/caller-gone.js';
import { sendProblem } from '../http/error-handler.js';
import { problemFromNotSent } from '../problems/from-error.js';
import { problemResponses } from '../problems/schema.js';
import type { CallResult, TencentClient } from '../tencent/client.js';
import { TENCENT } from '../tencent/codes.js';
import type { CommandName, CommandRequest } from '../tencent/commands.js';
import { isNotSent } from '../tencent/errors.js';
import { stringifyLosslessly } from '../tencent/lossless-json.js';
import {
  DestroyRoomResultSchema,
  GetRoomResultSchema,
  LIFECYCLE_EXAMPLES,
  ListRoomsQuerySchema,
  ListRoomsResultSchema,
  RoomIdParamsSchema,
  UpdateRoomBodySchema,
  UpdateRoomResultSchema,
} from './lifecycle-schemas.js';
import { shedOnArrival } from './shed-on-arrival.js';

/** Problems every room route can answer, besides its own. */
export const COMMON_PROBLEMS = [
  'validation-failed',
  'invalid-parameters',
  'unauthorized',
  'rate-limited',
  'upstream-rate-limited',
  'internal-error',
  'upstream-failure',
  'upstream-unavailable',
  'upstream-timeout',
] as const;

/** A documented 200 with its named example. */
function ok(description: string, schema: z.ZodType, example: keyof typeof LIFECYCLE_EXAMPLES) {
  return {
    description,
    content: { 'application/json': { schema, examples: { [example]: LIFECYCLE_EXAMPLES[example] } } },
  };
}

/**
 * Prepares `reply` for an answer that carries Tencent's fields as sent (a room, a Statistic): written by
 * stringifyLosslessly, so that a number JavaScript cannot hold (beyond 2^53, say) is answered as the bare number
 * Tencent wrote, digit for digit, where the app's reply serializer (JSON.stringify) would write the string it is
 * held as. The answer still goes through Fastify's hooks as an object.
 */
function asSent<R extends FastifyReply>(reply: R): R {
  reply.type('application/json; charset=utf-8').serializer(stringifyLosslessly);
  return reply;
}

/**
 * One upstream call on behalf of a request, with what it did written into the request's log line. When nothing
 * was sent (the gateway's own limits refused it, or the circuit is open), the 429 or 503 is sent here and the
 * answer is undefined: the route then returns `reply`, as it is answered already.
 */
export async function callFor<C extends CommandName>(
  tencent: TencentClient,
  request: FastifyRequest,
  reply: FastifyReply,
  command: C,
  body: CommandRequest<C>,
  roomId?: string,
): Promise<CallResult<C> | undefined> {
  if (roomId !== undefined) request.audit.roomId = roomId;
  const result = await tencent.call(command, body, {
    roomId,
    signal: callerGone(reply),
    logger: request.log,
  });
  if (isNotSent(result)) {
    sendProblem(request, reply, problemFromNotSent(result));
    return undefined;
  }
  request.audit.attempts = result.attempts;
  request.audit.tencentCode = TENCENT.OK;
  request.audit.upstreamRequestId = result.envelope.RequestId;
  return result;
}

/** Dismiss, read, update and list rooms. The RoomId travels upstream only inside the JSON body. */
export function registerLifecycleRoutes(app: FastifyInstance, tencent: TencentClient): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const security = [{ apiKey: [] }];

  routes.delete(
    '/rooms/:roomId',
    {
      onRequest: shedOnArrival(tencent, 'destroy_room'),
      schema: {
        operationId: 'dismissRoom',
        summary: 'Dismiss a room',
        description:
          "Dismisses the room with Tencent's live_engine_http_srv/destroy_room. Rooms stay alive until dismissed (or dismissed automatically by Tencent), so dismiss what you create. A second dismissal answers 404.",
        tags: ['rooms'],
        security,
        params: RoomIdParamsSchema,
        response: {
          200: ok('Dismissed.', DestroyRoomResultSchema, 'dismissed'),
          // A DELETE needs no body, but Fastify reads one when it is sent, so a body too large is refused here too
          // (and one that is not JSON, as validation-failed).
          ...problemResponses(...COMMON_PROBLEMS, 'room-not-found', 'payload-too-large'),
        },
      },
    },
    async (request, reply) => {
      const { roomId } = request.params;
      const called = await callFor(tencent, request, reply, 'destroy_room', { RoomId: roomId }, roomId);
      if (!called) return reply;
      const { envelope, response } = called;
      request.audit.outcome = 'dismissed';
      return asSent(reply).send({
        roomId,
        ...(response?.Statistic ? { statistic: response.Statistic } : {}),
        upstreamRequestId: envelope.RequestId ?? '',
      });
    },
  );

  routes.get(
    '/rooms/:roomId',
    {
      onRequest: shedOnArrival(tencent, 'get_room_info'),
      schema: {
        operationId: 'getRoom',
        summary: 'Read a room',
        description:
          "The room as Tencent's live_engine_http_srv/get_room_info describes it, every field under Tencent's names; TakeSeatMode is always its string name and Owner_Account always an exact string.",
        tags: ['rooms'],
        security,
        params: RoomIdParamsSchema,
        response: {
          200: ok('The room as Tencent describes it.', GetRoomResultSchema, 'room'),
          ...problemResponses(...COMMON_PROBLEMS, 'room-not-found'),
        },
      },
    },
    async (request, reply) => {
      const { roomId } = request.params;
      const called = await callFor(tencent, request, reply, 'get_room_info', { RoomId: roomId }, roomId);
      if (!called) return reply;
      const { envelope, response } = called;
      request.audit.outcome = 'read';
      return asSent(reply).send({ RoomInfo: response.RoomInfo, upstreamRequestId: envelope.RequestId ?? '' });
    },
  );

  routes.patch(
    '/rooms/:roomId',
    {
      onRequest: shedOnArrival(tencent, 'update_room_info'),
      schema: {
        operationId: 'updateRoom',
        summary: 'Update a room',
        description:
          "Changes the given fields with Tencent's live_engine_http_srv/update_room_info. Only RoomName, MaxMemberCount, IsMessageDisabled, CoverURL, Category, ActivityStatus, IsPublicVisible, TakeSeatMode and Notice can change, at least one of them.",
        tags: ['rooms'],
        security,
        params: RoomIdParamsSchema,
        body: UpdateRoomBodySchema,
        response: {
          200: ok('Updated.', UpdateRoomResultSchema, 'updated'),
          ...problemResponses(...COMMON_PROBLEMS, 'room-not-found', 'payload-too-large', 'sensitive-content'),
        },
      },
    },
    async (request, reply) => {
      const { roomId } = request.params;
      const body = { RoomInfo: { RoomId: roomId, ...request.body.RoomInfo } };
      const called = await callFor(tencent, request, reply, 'update_room_info', body, roomId);
      if (!called) return reply;
      const { envelope } = called;
      request.audit.outcome = 'updated';
      return { roomId, upstreamRequestId: envelope.RequestId ?? '' };
    },
  );

  routes.get(
    '/rooms',
    {
      onRequest: shedOnArrival(tencent, 'get_room_list'),
      schema: {
        operationId: 'listRooms',
        summary: 'List rooms',
        description:
          "A page of rooms from Tencent's live_engine_http_srv/get_room_list, sorted by ViewCount, highest first. Pass `next` back as `cursor` for the following page; it is absent on the last one. Tencent allows 10 of these per second.",
        tags: ['rooms'],
        security,
        querystring: ListRoomsQuerySchema,
        response: {
          200: ok('A page of rooms.', ListRoomsResultSchema, 'page'),
          ...problemResponses(...COMMON_PROBLEMS),
        },
      },
    },
    async (request, reply) => {
      const { cursor, limit } = request.query;
      const called = await callFor(tencent, request, reply, 'get_room_list', {
        Next: cursor ?? '',
        Count: limit,
      });
      if (!called) return reply;
      const { response } = called;
      request.audit.outcome = 'listed';
      return asSent(reply).send({
        rooms: response.RoomList,
        ...(response.Next ? { next: response.Next } : {}),
      });
    },
  );
}
