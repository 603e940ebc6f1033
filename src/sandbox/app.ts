import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pathOf } from '../http/url-path.js';
import { TENCENT } from '../tencent/codes.js';
import { stringifyLosslessly } from '../tencent/lossless-json.js';
import { verifyUserSig } from '../tencent/usersig.js';
import { type Fault, FaultQueue, type FaultRule } from './faults.js';
import { RecentKeys } from './recent-keys.js';
import { type CommandContext, type Result, SANDBOX_COMMANDS } from './room-commands.js';
import { SlidingWindow } from './sliding-window.js';
import type { Arrival, SandboxOptions, SandboxState } from './types.js';

export type { Arrival, RoomStatistic, SandboxOptions, SandboxRoom, SandboxState } from './types.js';

const MAX_ARRIVALS = 200_000;
const COMMAND_PREFIX = '/v4/live_engine_http_srv/';
/** Tencent's rule: the same RoomId once per second. */
const ROOM_WINDOW_MS = 1000;
const QUERY_KEYS = new Set(['sdkappid', 'identifier', 'usersig', 'random', 'contenttype']);

const now = () => performance.timeOrigin + performance.now();

/**
 * A faithful stand-in for Tencent's `live_engine_http_srv`: it checks the query, verifies the UserSig with the
 * secret key, enforces the frequency limits on arrival (sliding windows), validates the body, keeps rooms, and
 * answers with Tencent's envelope and a RequestId, always HTTP 200 unless a fault says otherwise. The commands
 * themselves (create, destroy, get, update, list) are in room-commands.ts.
 */
export async function buildSandbox(
  options: SandboxOptions,
): Promise<{ app: FastifyInstance; state: SandboxState }> {
  const admins = new Set(options.admins ?? ['administrator']);
  const perSecond = options.perSecond ?? 200;
  const limits = new Map<string, number>();
  for (const [name, command] of SANDBOX_COMMANDS)
    if (command.perSecond !== undefined) limits.set(name, command.perSecond);
  for (const [name, limit] of Object.entries(options.perSecondByCommand ?? {})) limits.set(name, limit);
  const sensitiveWords = options.sensitiveWords ?? ['sensitive-word'];
  const view = {
    legacyTakeSeatMode: options.legacyTakeSeatMode ?? false,
    numericAccounts: options.numericAccounts ?? false,
  };
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  let seq = 0;
  let windows = new Map<string, SlidingWindow>();
  let roomArrivals = new RecentKeys(ROOM_WINDOW_MS);

  const state: SandboxState = {
    rooms: new Map(),
    arrivals: [],
    faults: new FaultQueue(),
    reset() {
      state.rooms.clear();
      state.arrivals.length = 0;
      state.faults.clear();
      windows = new Map();
      roomArrivals = new RecentKeys(ROOM_WINDOW_MS);
    },
  };

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1024 * 1024 });
  // Tencent reads the body itself; parse nothing so that a bad body gets Tencent's 60003, not Fastify's 400.
  // Arrival is stamped as soon as the request line and headers are read, before the body is parsed, so the
  // sandbox's own processing of a burst does not spread the times it records.
  const arrivedAt = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', async (request) => {
    arrivedAt.set(request, now());
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  /** Tencent's envelope as JSON text, a value that must stay exact written as its own text (LosslessNumber). */
  function envelope({ code, info, extra }: Result): string {
    seq += 1;
    return stringifyLosslessly({
      ActionStatus: code === 0 ? 'OK' : 'FAIL',
      ErrorInfo: info,
      ErrorCode: code,
      RequestId: `Id-${randomBytes(16).toString('hex')}-O-Seq-${seq}`,
      ...extra,
    });
  }

  const sendJson = (reply: FastifyReply, text: string) =>
    reply.code(200).type('application/json; charset=utf-8').send(text);

  function record(arrival: Arrival): void {
    if (state.arrivals.length >= MAX_ARRIVALS) state.arrivals.splice(0, MAX_ARRIVALS / 2);
    state.arrivals.push(arrival);
  }

  async function applyFault(fault: Fault, reply: FastifyReply, answer: () => string): Promise<unknown> {
    switch (fault.kind) {
      case 'code':
        return sendJson(
          reply,
          envelope({ code: fault.code, info: fault.info ?? `injected error ${fault.code}` }),
        );
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return sendJson(reply, answer());
      case 'hang':
        reply.hijack();
        return undefined;
      case 'reset':
        if (fault.processed) answer();
        reply.hijack();
        reply.raw.socket?.destroy();
        return undefined;
      case 'half-close': {
        reply.hijack();
        const text = '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-half"}';
        reply.raw.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        reply.raw.write(text.slice(0, 20));
        // FIN without the rest: the client is left with a half-closed connection and a short body.
        reply.raw.socket?.end();
        return undefined;
      }
      case 'slow-body': {
        reply.hijack();
        const body = answer();
        const half = Math.floor(body.length / 2);
        reply.raw.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        reply.raw.write(body.slice(0, half));
        const timer = setTimeout(() => reply.raw.end(body.slice(half)), fault.ms);
        reply.raw.once('close', () => clearTimeout(timer));
        return undefined;
      }
      case 'http-status':
        if (fault.code !== undefined) {
          return reply
            .code(fault.status)
            .type('application/json; charset=utf-8')
            .send(envelope({ code: fault.code, info: fault.info ?? `injected error ${fault.code}` }));
        }
        return reply
          .code(fault.status)
          .type('text/html')
          .send(`<html><body><h1>${fault.status}</h1>nginx</body></html>`);
      case 'non-json':
        return reply.code(200).type('text/plain').send('upstream says hello');
      case 'no-error-code':
        return reply.code(200).send({ ActionStatus: 'OK', RequestId: 'Id-no-error-code' });
    }
  }

  /** The access layer, as for every Tencent REST command: query, signature, frequency (judged on arrival, `at`). */
  function checkAccess(request: FastifyRequest, command: string, at: number): Result | undefined {
    const query = request.query as Record<string, string | string[] | undefined>;
    for (const [key, value] of Object.entries(query)) {
      if (!QUERY_KEYS.has(key))
        return { code: TENCENT.HTTP_PARSE_ERROR, info: `unexpected query parameter ${key}` };
      if (typeof value !== 'string')
        return { code: TENCENT.HTTP_PARSE_ERROR, info: `${key} given more than once` };
    }
    const { sdkappid, identifier, usersig, random, contenttype } = query as Record<
      string,
      string | undefined
    >;
    if (!sdkappid) return { code: TENCENT.SDKAPPID_MISSING, info: 'sdkappid missing' };
    if (!/^\d+$/.test(sdkappid)) return { code: TENCENT.HTTP_PARSE_ERROR, info: 'sdkappid not a number' };
    if (Number(sdkappid) !== options.sdkAppId)
      return { code: TENCENT.SDKAPPID_NOT_FOUND, info: 'sdkappid not found' };
    if (!identifier || !usersig)
      return { code: TENCENT.ACCOUNT_OR_SIG_ERROR_URL, info: 'identifier or usersig missing' };
    if (!random || !/^\d{1,10}$/.test(random) || Number(random) > 0xffffffff) {
      return { code: TENCENT.HTTP_PARSE_ERROR, info: 'random must be a uint32' };
    }
    if (contenttype !== 'json') return { code: TENCENT.HTTP_PARSE_ERROR, info: 'contenttype must be json' };
    const verified = verifyUserSig(usersig, {
      sdkAppId: options.sdkAppId,
      secretKey: options.secretKey,
      identifier,
      nowSeconds: nowSeconds(),
    });
    if (!verified.ok) return { code: verified.code, info: verified.reason };
    if (!admins.has(identifier))
      return { code: TENCENT.ADMIN_REQUIRED, info: 'identifier is not an administrator' };
    let window = windows.get(command);
    if (!window) {
      window = new SlidingWindow(1000);
      windows.set(command, window);
    }
    if (window.hit(at) > (limits.get(command) ?? perSecond))
      return { code: TENCENT.API_FREQUENCY_LIMIT, info: 'API call frequency over the limit' };
    return undefined;
  }

  /** Every arrival of a RoomId counts, whatever its answer: true when the previous one was under 1 s ago. */
  function roomTooFrequent(roomId: string | undefined, at: number): boolean {
    if (roomId === undefined) return false;
    const last = roomArrivals.see(roomId, at);
    return last !== undefined && at - last < ROOM_WINDOW_MS;
  }

  app.post(`${COMMAND_PREFIX}:command`, async (request, reply) => {
    const at = arrivedAt.get(request) ?? now();
    const name = (request.params as { command: string }).command;
    const command = SANDBOX_COMMANDS.get(name);
    let body: unknown;
    let bodyOk = true;
    try {
      body = JSON.parse((request.body as string | undefined) ?? '');
    } catch {
      bodyOk = false;
    }
    const roomId = bodyOk ? command?.roomIdOf(body) : undefined;
    const query = request.query as { random?: string; usersig?: string; identifier?: string };
    const arrival: Arrival = {
      at,
      command: name,
      roomId,
      random: query.random,
      userSig: query.usersig,
      contentType: request.headers['content-type'],
      outcome: 0,
    };
    record(arrival);

    /** What Tencent answers once the request is through the access layer and the frequency rules. */
    const process = (): Result => {
      if (!bodyOk) return { code: TENCENT.REQUEST_JSON_PARSE_ERROR, info: 'request JSON parse error' };
      if (!command) return { code: TENCENT.BAD_REQUEST_RESOURCE, info: 'unknown command' };
      const ctx: CommandContext = { state, identifier: query.identifier ?? '', at, sensitiveWords, view };
      return command.run(body, ctx);
    };
    const finish = (result: Result) => {
      arrival.outcome = result.code;
      return sendJson(reply, envelope(result));
    };

    const denied = checkAccess(request, name, at);
    if (denied) return finish(denied);
    const tooFrequent = command?.perRoomOncePerSecond === true && roomTooFrequent(roomId, at);
    const fault = state.faults.take(name, roomId);
    if (fault) {
      arrival.outcome = fault.kind === 'code' ? fault.code : fault.kind;
      return applyFault(fault, reply, () => envelope(process()));
    }
    if (tooFrequent) {
      return finish({
        code: TENCENT.ROOM_CREATE_TOO_FREQUENT,
        info: 'the same RoomId can only be created once per second',
      });
    }
    return finish(process());
  });

  // Control routes for tests and demos: the gateway never calls these and cannot tell they exist.
  app.post('/__sandbox/faults', async (request, reply) => {
    try {
      state.faults.add(JSON.parse((request.body as string | undefined) || '{}') as FaultRule);
    } catch (err) {
      return reply.code(400).send({ error: (err as Error).message });
    }
    return reply.code(204).send();
  });
  app.get('/__sandbox/arrivals', async () => state.arrivals);
  app.get('/__sandbox/rooms', async () => [...state.rooms.values()]);
  app.post('/__sandbox/reset', async (_request, reply) => {
    state.reset();
    return reply.code(204).send();
  });
  // Anything else Tencent's front door would answer with 60009; it still arrived, so it is recorded.
  app.setNotFoundHandler((request, reply) => {
    record({ at: now(), command: pathOf(request.url), outcome: TENCENT.BAD_REQUEST_RESOURCE });
    return sendJson(reply, envelope({ code: TENCENT.BAD_REQUEST_RESOURCE, info: 'bad request resource' }));
  });

  return { app, state };
}
