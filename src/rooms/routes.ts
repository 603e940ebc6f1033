import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { rememberPerConnection } from '../http/auth.js';
import { ProblemError } from '../problems/problem.js';
import { problemResponses } from '../problems/schema.js';
import type { TencentClient } from '../tencent/client.js';
import { TENCENT } from '../tencent/codes.js';
import { UpstreamError } from '../tencent/errors.js';
import { COMMON_PROBLEMS, callFor, registerLifecycleRoutes } from './lifecycle-routes.js';
import {
  CREATE_ROOM_RESULT_EXAMPLES,
  CreateRoomBodySchema,
  type CreateRoomResult,
  CreateRoomResultSchema,
} from './schemas.js';
import { shedOnArrival } from './shed-on-arrival.js';

export interface RoomRoutesDeps {
  tencent: TencentClient;
  /** Resolves an Authorization header to the caller's name, or undefined. */
  authenticate: (authorization: string | undefined) => string | undefined;
}

export async function roomRoutes(app: FastifyInstance, deps: RoomRoutesDeps): Promise<void> {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const authenticate = rememberPerConnection(deps.authenticate);

  // Authentication comes first, before the body is even parsed: an unknown caller learns nothing else.
  app.addHook('onRequest', (request, _reply, done) => {
    const caller = authenticate(request.headers.authorization, request.raw.socket);
    if (!caller) {
      done(
        new ProblemError(
          'unauthorized',
          'Send an API key as `Authorization: Bearer <secret>`; ask the gateway operator for one.',
          {},
          { 'www-authenticate': 'Bearer realm="roomgate"' },
        ),
      );
      return;
    }
    request.audit.caller = caller;
    done();
  });

  routes.post(
    '/rooms',
    {
      onRequest: shedOnArrival(deps.tencent, 'create_room'),
      schema: {
        operationId: 'createRoom',
        summary: 'Create a live room',
        description:
          "Creates a room with Tencent's live_engine_http_srv/create_room. The body is Tencent's own shape; it is validated in full before anything is sent, and Tencent's limits (200 per second, each RoomId once per second) are enforced on the way.",
        tags: ['rooms'],
        security: [{ apiKey: [] }],
        body: CreateRoomBodySchema,
        response: {
          201: {
            description: 'Created. `Location` is `/rooms/{RoomId}`, percent-encoded.',
            headers: {
              Location: { type: 'string', description: 'The new room.', examples: ['/rooms/live_testA'] },
            },
            content: {
              'application/json': {
                schema: CreateRoomResultSchema,
                examples: { created: CREATE_ROOM_RESULT_EXAMPLES.created },
              },
            },
          },
          200: {
            description:
              'The room already exists with the same owner (Tencent 100010): usable as it is. A repeated create (after a lost answer or a 504, say) lands here.',
            content: {
              'application/json': {
                schema: CreateRoomResultSchema,
                examples: { exists: CREATE_ROOM_RESULT_EXAMPLES.exists },
              },
            },
          },
          ...problemResponses(
            ...COMMON_PROBLEMS,
            'room-id-taken',
            'room-id-reserved-by-chat',
            'payload-too-large',
            'sensitive-content',
          ),
        },
      },
    },
    async (request, reply) => {
      const info = request.body.RoomInfo;
      let result: CreateRoomResult;
      try {
        const called = await callFor(
          deps.tencent,
          request,
          reply,
          'create_room',
          { RoomInfo: info },
          info.RoomId,
        );
        // Nothing was sent (the limits or the circuit breaker): the 429 or 503 is sent already.
        if (!called) return reply;
        result = { roomId: info.RoomId, created: true, upstreamRequestId: called.envelope.RequestId ?? '' };
      } catch (err) {
        // 100010: the room exists and the owner is the same, so it is usable as it is (and a repeated create
        // after a lost answer lands here): an idempotent success, not an error.
        if (!(err instanceof UpstreamError) || err.code !== TENCENT.ROOM_EXISTS_SAME_OWNER) throw err;
        request.audit.attempts = err.attempts;
        request.audit.tencentCode = err.code;
        request.audit.upstreamRequestId = err.requestId;
        request.audit.outcome = 'exists';
        return reply
          .code(200)
          .send({ roomId: info.RoomId, created: false, upstreamRequestId: err.requestId ?? '' });
      }
      request.audit.outcome = 'created';
      return reply
        .code(201)
        .header('location', `/rooms/${encodeURIComponent(info.RoomId)}`)
        .send(result);
    },
  );

  registerLifecycleRoutes(app, deps.tencent);
}
