import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { TENCENT } from '../tencent/codes.js';
import { verifyUserSig } from '../tencent/usersig.js';
import { createRoomBodyProblem } from './create-room-body.js';
import { type Fault, FaultQueue, type FaultRule } from './faults.js';
import { SlidingWindow } from './sliding-window.js';

export interface SandboxOptions {
  sdkAppId: number;
  secretKey: string;
  /** The application's administrator accounts (the only identifiers allowed to call). */
  admins?: string[];
  /** Requests per second per command before 60007 (Tencent: 200). */
  perSecond?: number;
  /** Words whose presence in RoomName makes create_room answer 100026. */
  sensitiveWords?: string[];
  /** Unix seconds, for UserSig expiry; injected so tests can age a signature. */
  nowSeconds?: () => number;
}

/** One request as it reached the sandbox, whatever its answer: the receiving end's own accounting. */
export interface Arrival {
  /** Milliseconds since the epoch, with sub-millisecond precision. */
  at: number;
  command: string;
  roomId?: string;
  random?: string;
  /** The UserSig it carried: lets tests check that one signature is reused, and grep logs for it. */
  userSig?: string;
  contentType?: string;
  /** The ErrorCode answered, or the fault applied. */
  outcome: number | Fault['kind'];
}

export interface SandboxRoom {
  RoomId: string;
  RoomType: string;
  Owner_Account: string;
  CreateTime: number;
  [field: string]: unknown;
}

export interface SandboxState {
  rooms: Map<string, SandboxRoom>;
  arrivals: Arrival[];
  faults: FaultQueue;
  reset(): void;
}

const MAX_ARRIVALS = 200_000;
const COMMAND_PREFIX = '/v4/live_engine_http_srv/';
const QUERY_KEYS = new Set(['sdkappid', 'identifier', 'usersig', 'random', 'contenttype']);
/** Chat group IDs that Tencent generates start with @TGS#; such a RoomId is taken by Chat (100011). */
const CHAT_GROUP_PREFIX = '@TGS#';

type Result = { code: number; info: string; extra?: Record<string, unknown> };

const now = () => performance.timeOrigin + performance.now();

/**
 * A faithful stand-in for Tencent's `live_engine_http_srv`: it checks the query, verifies the UserSig with the
 * secret key, enforces the frequency limits on arrival (sliding windows), validates the body, keeps rooms, and
 * answers with Tencent's envelope and a RequestId, always HTTP 200 unless a fault says otherwise.
 */
export async function buildSandbox(
  options: SandboxOptions,
): Promise<{ app: FastifyInstance; state: SandboxState }> {
  const admins = new Set(options.admins ?? ['administrator']);
  const perSecond = options.perSecond ?? 200;
  const sensitive = options.sensitiveWords ?? ['sensitive-word'];
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  let seq = 0;
  let windows = new Map<string, SlidingWindow>();
  let roomWindows = new Map<string, number>();

  const state: SandboxState = {
    rooms: new Map(),
    arrivals: [],
    faults: new FaultQueue(),
    reset() {
      state.rooms.clear();
      state.arrivals.length = 0;
      state.faults.clear();
      windows = new Map();
      roomWindows = new Map();
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

  function envelope(code: number, info: string, extra: Record<string, unknown> = {}) {
    seq += 1;
    return {
      ActionStatus: code === 0 ? 'OK' : 'FAIL',
      ErrorInfo: info,
      ErrorCode: code,
      RequestId: `Id-${randomBytes(16).toString('hex')}-O-Seq-${seq}`,
      ...extra,
    };
  }

  function record(arrival: Arrival): void {
    if (state.arrivals.length >= MAX_ARRIVALS) state.arrivals.splice(0, MAX_ARRIVALS / 2);
    state.arrivals.push(arrival);
  }

  async function applyFault(fault: Fault, reply: FastifyReply, answer: () => object): Promise<unknown> {
    switch (fault.kind) {
      case 'code':
        return reply.send(envelope(fault.code, fault.info ?? `injected error ${fault.code}`));
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return reply.send(answer());
      case 'hang':
        reply.hijack();
        return undefined;
      case 'reset':
        reply.hijack();
        reply.raw.socket?.destroy();
        return undefined;
      case 'slow-body': {
        reply.hijack();
        const body = JSON.stringify(answer());
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

  /** The access layer, as for every Tencent REST command: query, signature, frequency. */
  function checkAccess(request: FastifyRequest, command: string): { code: number; info: string } | undefined {
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
    if (window.hit(now()) > perSecond)
      return { code: TENCENT.API_FREQUENCY_LIMIT, info: 'API call frequency over the limit' };
    return undefined;
  }

  /** Every arrival of a RoomId counts, whatever its answer: true when the previous one was under 1 s ago. */
  function roomTooFrequent(roomId: string | undefined, at: number): boolean {
    if (roomId === undefined) return false;
    const last = roomWindows.get(roomId);
    roomWindows.set(roomId, at);
    return last !== undefined && at - last < 1000;
  }

  function createRoom(request: FastifyRequest, body: unknown, at: number): Result {
    const info = (body as { RoomInfo?: Record<string, unknown> } | undefined)?.RoomInfo;
    const roomId = typeof info?.RoomId === 'string' ? info.RoomId : undefined;
    const problem = createRoomBodyProblem(body);
    if (problem || !info || roomId === undefined)
      return { code: TENCENT.INVALID_PARAMETERS, info: problem ?? 'invalid' };
    if (roomId.startsWith(CHAT_GROUP_PREFIX))
      return { code: TENCENT.ROOM_ID_USED_BY_CHAT, info: 'RoomId is used by Chat' };
    const text = `${info.RoomName ?? ''} ${info.CoverURL ?? ''}`;
    if (sensitive.some((w) => text.includes(w)))
      return { code: TENCENT.SENSITIVE_CONTENT, info: 'sensitive content' };
    const owner =
      (info.Owner_Account as string | undefined) ?? (request.query as { identifier: string }).identifier;
    const existing = state.rooms.get(roomId);
    if (existing) {
      return existing.Owner_Account === owner
        ? { code: TENCENT.ROOM_EXISTS_SAME_OWNER, info: 'room exists and the owner is the same' }
        : { code: TENCENT.ROOM_ID_TAKEN, info: 'room ID already exists' };
    }
    state.rooms.set(roomId, {
      ...info,
      RoomId: roomId,
      RoomType: 'Live',
      Owner_Account: owner,
      CreateTime: Math.floor(at / 1000),
    });
    return { code: TENCENT.OK, info: '', extra: { RoomId: roomId } };
  }

  app.post(`${COMMAND_PREFIX}:command`, async (request, reply) => {
    const at = arrivedAt.get(request) ?? now();
    const command = (request.params as { command: string }).command;
    let body: unknown;
    let bodyOk = true;
    try {
      body = JSON.parse((request.body as string | undefined) ?? '');
    } catch {
      bodyOk = false;
    }
    const rawRoomId = (body as { RoomInfo?: { RoomId?: unknown } } | undefined)?.RoomInfo?.RoomId;
    const roomId = typeof rawRoomId === 'string' ? rawRoomId : undefined;
    const arrival: Arrival = {
      at,
      command,
      roomId,
      random: (request.query as { random?: string }).random,
      userSig: (request.query as { usersig?: string }).usersig,
      contentType: request.headers['content-type'],
      outcome: 0,
    };
    record(arrival);

    let result: Result | undefined = checkAccess(request, command);
    const tooFrequent = !result && command === 'create_room' && roomTooFrequent(roomId, at);
    const fault = result ? undefined : state.faults.take(command, roomId);
    if (!result && fault) {
      arrival.outcome = fault.kind === 'code' ? fault.code : fault.kind;
      return applyFault(fault, reply, () => {
        const r: Result =
          command === 'create_room' && bodyOk ? createRoom(request, body, at) : { code: 0, info: '' };
        return envelope(r.code, r.info, r.extra);
      });
    }
    if (!result && tooFrequent) {
      result = {
        code: TENCENT.ROOM_CREATE_TOO_FREQUENT,
        info: 'the same RoomId can only be created once per second',
      };
    }
    if (!result && !bodyOk)
      result = { code: TENCENT.REQUEST_JSON_PARSE_ERROR, info: 'request JSON parse error' };
    if (!result && command !== 'create_room')
      result = { code: TENCENT.BAD_REQUEST_RESOURCE, info: 'unknown command' };
    result ??= createRoom(request, body, at);
    arrival.outcome = result.code;
    return reply.send(envelope(result.code, result.info, result.extra));
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
    record({ at: now(), command: request.url.split('?')[0] ?? '', outcome: TENCENT.BAD_REQUEST_RESOURCE });
    return reply.code(200).send(envelope(TENCENT.BAD_REQUEST_RESOURCE, 'bad request resource'));
  });

  return { app, state };
}
