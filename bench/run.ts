/**
 * `npm run bench`: what roomgate costs on the hot path (issue 6). Everything runs on 127.0.0.1: the sandbox, the
 * compiled gateway, the bare proxy and the minimal handler each in a process of their own, the load generators in
 * this one. Prints a Markdown report and writes it to bench/RESULTS.md (or BENCH_OUT).
 *
 * BENCH_SECONDS (default 20) is the measured length of scenarios 1 and 3; scenario 2 measures each front for half
 * of it (in two rounds) after half of it of warm-up, scenario 1 warms up each path at full speed (BURST_S) and then
 * measures it in four segments taking turns with the other paths, each after a twentieth of it at the measured
 * rate, scenario 3 warms up for 10 s.
 * BENCH_KEYS (default 1,000,000) is scenario 4's RoomId count. BENCH_PROFILE=<dir> writes CPU profiles of
 * scenario 2's fronts and scenario 3's gateway and floor under that directory. BENCH_TRACE=<dir> preloads
 * phase-trace.mjs into scenario 1's roomgate (at 250) and minimal handler and reports where a create's time went
 * inside each, phase by phase (phases.ts).
 * BENCH_ONLY=2,4 runs only those scenarios (3 needs 1's numbers, so runs it too). `npm run bench:smoke` runs all
 * four in a few seconds.
 * Every scenario reports the share of the machine's CPU the hypervisor took while it was measured (steal.ts): on
 * a shared VM that share, not the code, can be what moved a run.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { signUserSig } from '../src/tencent/usersig.js';
import { ADMIN, busiestWindow, SDKAPPID } from '../test/helpers.js';
import { capCpu } from './cpu-cap.js';
import { answerTimesFromLog } from './gateway-log.js';
import { type GcPauses, gcPauses } from './gc-trace.js';
import {
  type Latency,
  latencyOf,
  type OpenLoopResult,
  openLoop,
  type Sample,
  type Target,
} from './open-loop.js';
import { type FrontPhases, frontPhasesOf, PHASES } from './phases.js';
import {
  BENCH_API_KEY,
  type BenchProcess,
  cpuMsOf,
  memoryOf,
  root,
  type Sandbox,
  startBareProxy,
  startGateway,
  startMinimalHandler,
  startSandbox,
} from './processes.js';
import { addTicks, type CpuTicks, readCpuTicks, stealShare } from './steal.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const OUT = resolve(root, process.env.BENCH_OUT ?? 'bench/RESULTS.md');
const PROFILE_DIR = process.env.BENCH_PROFILE;
/** With BENCH_TRACE=<dir>, scenario 1 traces the phases of each request inside roomgate and the minimal handler. */
const TRACE_DIR = process.env.BENCH_TRACE;
/** Where phase-trace.mjs writes a front's phases under BENCH_TRACE. */
const traceFile = (name: string) => join(TRACE_DIR ?? '.', `${name}-${run}.jsonl`);
const untraced = { args: [] as string[], env: {} as Record<string, string> };
/**
 * A front's extra Node flags and environment under BENCH_TRACE: phase-trace.mjs preloaded, writing traceFile(name);
 * `acrossAwaits` where creates wait for their permit before going upstream (scenario 3), at a cost to every request.
 */
function traced(name: string, acrossAwaits = false): typeof untraced {
  if (!TRACE_DIR) return untraced;
  mkdirSync(TRACE_DIR, { recursive: true });
  const env: Record<string, string> = { PHASE_TRACE_OUT: traceFile(name) };
  if (acrossAwaits) env.PHASE_TRACE_ASYNC = '1';
  return { args: ['--import', join(root, 'bench/phase-trace.mjs')], env };
}
/** A window on this process's performance.now() on the epoch-ms clock phase-trace.mjs stamps with. */
const onEpoch = ([from, to]: [number, number]): [number, number] => [
  from + performance.timeOrigin,
  to + performance.timeOrigin,
];
/** Node's flags that write a CPU profile of a front into BENCH_PROFILE/<scenario>, when it is set. */
const profileArgs = (scenario: string) =>
  PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, scenario)}`] : [];
const WARMUP_S = Math.max(0.5, SECONDS / 10);
/**
 * Scenario 2 runs each front at full speed for this long first, so that V8 has optimized its hot path. Measured
 * from a cold start (bench/ANALYSIS.md, sixth round), roomgate's CPU per create was still 352 µs in its second 5 s
 * against ~275 from the third on, with 190 functions still being optimized in the second 5 s and ~10 after that;
 * the bare proxy and the minimal handler also settle only after ~10 s.
 */
const CAPACITY_WARMUP_S = Math.max(1, Math.round(SECONDS / 2));
/**
 * Scenario 1 first pushes creates through each path as fast as it takes them (2xx, or 429 past the gateway's
 * limit) for this long, then lets a window pass: at 200/s alone V8 needs ~30 s to optimize the gateway's paths, so a
 * short warm-up at the measured rate left most of the measured part running half-optimized code (gateway p50 5.2
 * ms in its first 10 s, 1.5 by the sixth; ANALYSIS.md, sixth round). The sandbox is warmed the same way before the
 * direct path is measured.
 */
const BURST_S = Math.max(1, Math.min(4, Math.round(SECONDS / 5)));
const QUOTA = 200;
const OVERLOAD = 4000;
const CONNECTIONS = 64;
/**
 * Hard bound on the whole run: anything stuck past this is a failure, not a longer wait. A full run takes ~14 s per
 * second of BENCH_SECONDS since scenario 3 measures its floor too and scenario 2 its capped rounds (~290 s at 20).
 */
const RUN_LIMIT_MS = (SECONDS * 15 + 120) * 1000;

const CREATE_PATH = '/v4/live_engine_http_srv/create_room';
const run = Date.now().toString(36);
const body = (roomId: string) =>
  JSON.stringify({ RoomInfo: { RoomId: roomId, RoomType: 'Live', SeatTemplate: 'VideoDynamicGrid9Seats' } });
const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
/** A difference with its sign: +0.42, -0.70 (a faster path can come out ahead on this machine). */
const signed = (n: number) => (Number.isFinite(n) && n < 0 ? `-${fmt(-n)}` : `+${fmt(n)}`);
/** The hypervisor's steal as a share of the machine's CPU time (steal.ts), as a percentage. */
const pct = (share: number) => (Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : 'n/a');

/**
 * An open-loop run with what its recorded part (from its first recorded send to its end) cost: the hypervisor's
 * steal, and with `front` given, that process's CPU time per recorded request in µs (NaN without one).
 */
async function measuredLoop(
  opts: Parameters<typeof openLoop>[0],
  front?: BenchProcess,
): Promise<
  Awaited<ReturnType<typeof openLoop>> & {
    steal: number;
    cpuUs: number;
    /** The machine's CPU ticks at the first recorded send and at the end, for summing over several runs. */
    ticks: [CpuTicks | undefined, CpuTicks | undefined];
    /** The recorded part, from its first send to its end, on this process's performance.now(). */
    window: [number, number];
  }
> {
  let from: CpuTicks | undefined;
  let cpuAtWarm = Number.NaN;
  let warmAt = Number.NaN;
  const result = await openLoop({
    ...opts,
    onWarm: () => {
      warmAt = performance.now();
      from = readCpuTicks();
      if (front) cpuAtWarm = cpuMsOf(front.pid);
      opts.onWarm?.();
    },
  });
  const to = readCpuTicks();
  const steal = stealShare(from, to);
  const cpuUs = front
    ? ((cpuMsOf(front.pid) - cpuAtWarm) * 1000) / Math.max(1, result.samples.length)
    : Number.NaN;
  return { ...result, steal, cpuUs, ticks: [from, to], window: [warmAt, performance.now()] };
}

function signedQuery(sandbox: Sandbox): (random: number) => string {
  const userSig = signUserSig({
    sdkAppId: SDKAPPID,
    secretKey: sandbox.secretKey,
    identifier: ADMIN,
    expireSeconds: 86400,
  });
  return (random) =>
    `sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${userSig}&random=${random >>> 0}&contenttype=json`;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const GATEWAY_HEADERS = { ...JSON_HEADERS, authorization: `Bearer ${BENCH_API_KEY}` };

/** Creates through a front's `POST /rooms`, RoomId `<prefix>_<i>` for request i. */
function frontTarget(
  front: BenchProcess,
  prefix: string,
  headers: Record<string, string> = JSON_HEADERS,
): (i: number) => Target {
  const origin = new URL(front.url).origin;
  return (i) => ({ origin, path: '/rooms', headers, body: body(`${prefix}_${i}`) });
}

/**
 * The same through roomgate, with the bench's API key and X-Request-Id `<prefix>.<i>`, by which its request log's
 * lines are told apart (gateway-log.ts), those without a RoomId included.
 */
function gatewayTarget(gateway: BenchProcess, prefix: string): (i: number) => Target {
  const origin = new URL(gateway.url).origin;
  return (i) => ({
    origin,
    path: '/rooms',
    headers: { ...GATEWAY_HEADERS, 'x-request-id': `${prefix}.${i}` },
    body: body(`${prefix}_${i}`),
  });
}

function statusCounts(samples: Sample[]): string {
  const counts = new Map<number, number>();
  for (const s of samples) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => a[0] - b[0])
    .map(([status, n]) => `${n}×${status}`)
    .join(', ');
}

const latencyRow = (name: string, l: Latency, note: string) =>
  `| ${name} | ${l.n} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.p999)} | ${fmt(l.max)} | ${note} |`;

/** Scenario 1's creates through roomgate at GLOBAL_RATE_LIMIT=250, at the client and in its own request log. */
interface QuotaLatency {
  client: Latency;
  own: Latency | undefined;
}

interface Report {
  lines: string[];
  verdicts: string[];
}

/** One path of scenario 1, in front of a sandbox of its own, running until all paths have been measured. */
interface OpenQuotaPath {
  sandbox: Sandbox;
  /** The front, or undefined for the direct path. */
  front: BenchProcess | undefined;
  /** Request i of a part of the run named `prefix` (its RoomId, and through roomgate its X-Request-Id). */
  target: (prefix: string) => (i: number) => Target;
  keepBodies: boolean;
}

/** One path of scenario 1, measured, with what its sandbox's GC did meanwhile. */
interface QuotaPath {
  result: OpenLoopResult & { steal: number };
  /** The front measured (stopped by now: its output can be read), or undefined for the direct path. */
  front: BenchProcess | undefined;
  sandboxGc: GcPauses;
  /** The prefixes of the path's measured segments, by which its requests are found in the gateway's log. */
  prefixes: string[];
  /** The measured segments, in epoch ms (the clock phase-trace.mjs stamps with). */
  epochWindows: [number, number][];
}

/** Scenario 1 measures every path in this many segments, taking turns, the order reversed every other round. */
const QUOTA_ROUNDS = 4;
const QUOTA_SEGMENT_S = SECONDS / QUOTA_ROUNDS;
/** Each segment begins with this long at the measured rate, not recorded (fresh connections, warm caches). */
const QUOTA_SEGMENT_WARMUP_S = Math.max(0.25, WARMUP_S / 2);

/** A fresh sandbox (its quota lifted, so that it does the same work for every path), traced with `--trace-gc`. */
async function openQuotaPath(
  open: (sandbox: Sandbox) => Promise<Omit<OpenQuotaPath, 'sandbox' | 'keepBodies'>>,
  keepBodies = false,
): Promise<OpenQuotaPath> {
  const sandbox = await startSandbox(1_000_000_000, ['--trace-gc']);
  try {
    return { sandbox, keepBodies, ...(await open(sandbox)) };
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
}

/** Stops each path's front, then its sandbox (a front's last log lines are written as it exits). */
async function stopQuotaPaths(paths: OpenQuotaPath[]): Promise<void> {
  for (const path of paths) {
    await path.front?.stop();
    await path.sandbox.stop();
  }
}

/**
 * Measures scenario 1's paths, all running, each in front of a sandbox of its own, in QUOTA_ROUNDS segments each,
 * taking turns in alternating order, as scenario 2 does. Why a sandbox each: a sandbox keeps every room it creates,
 * as Tencent does, and its full collections grow with them (6-21 ms each, every ~2.6 s, once it holds tens of
 * thousands): with one sandbox for all paths, measured one after the other, each later path met an older sandbox's
 * pauses (ANALYSIS.md, ninth round). Why in turns: this VM's speed drifts within minutes (the hypervisor took 4.4%
 * of its CPU while one path was measured and 0.0% during the next), and paths measured one after the other for 20 s
 * each met different machines; a p99 target of 1 ms is finer than that drift. Stops every front and sandbox.
 */
async function measureQuotaPaths(paths: OpenQuotaPath[], names: string[]): Promise<QuotaPath[]> {
  const warmup = Math.round(QUOTA_SEGMENT_WARMUP_S * QUOTA);
  const count = warmup + Math.round(QUOTA_SEGMENT_S * QUOTA);
  const measured = paths.map(() => ({
    samples: [] as Sample[],
    errors: 0,
    offered: [] as number[],
    maxLagMs: 0,
    ticks: { steal: 0, total: 0 } as CpuTicks,
    /** Each measured segment, from its first recorded send to its end, on this process's performance.now(). */
    windows: [] as [number, number][],
    prefixes: [] as string[],
  }));
  try {
    for (const [i, path] of paths.entries()) {
      const prefix = `b${names[i]}${run}`;
      await burst(path.target(prefix), prefix);
    }
    // The bursts' permits (held 1,010 ms after their answers) must have cooled before the evenly spaced load starts.
    await sleep(1_500);
    for (let round = 0; round < QUOTA_ROUNDS; round++) {
      const order = [...paths.keys()];
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const path = paths[i] as OpenQuotaPath;
        const m = measured[i] as (typeof measured)[number];
        const prefix = `${names[i]}${run}r${round}`;
        const result = await measuredLoop({
          ratePerSecond: QUOTA,
          count,
          warmup,
          keepBodies: path.keepBodies,
          connections: CONNECTIONS,
          target: path.target(prefix),
        });
        m.ticks = addTicks(m.ticks, ...result.ticks);
        m.windows.push(result.window);
        m.samples.push(...result.samples);
        m.errors += result.errors;
        m.offered.push(result.offeredPerSecond);
        m.maxLagMs = Math.max(m.maxLagMs, result.maxLagMs);
        m.prefixes.push(prefix);
      }
    }
  } finally {
    await stopQuotaPaths(paths);
  }
  return paths.map((path, i) => {
    const m = measured[i] as (typeof measured)[number];
    const trace = path.sandbox.output();
    // The sandbox's --trace-gc clock starts at its spawn; phase-trace.mjs stamps on the epoch.
    const gc = m.windows.map(([from, to]) =>
      gcPauses(trace, from - path.sandbox.startedAt, to - path.sandbox.startedAt),
    );
    return {
      result: {
        samples: m.samples,
        errors: m.errors,
        offeredPerSecond: m.offered.reduce((a, b) => a + b, 0) / Math.max(1, m.offered.length),
        maxLagMs: m.maxLagMs,
        steal: stealShare({ steal: 0, total: 0 }, m.ticks),
      },
      front: path.front,
      sandboxGc: {
        count: gc.reduce((a, g) => a + g.count, 0),
        longestMs: Math.max(0, ...gc.map((g) => g.longestMs)),
      },
      prefixes: m.prefixes,
      epochWindows: m.windows.map(onEpoch),
    };
  });
}

/**
 * Scenario 1: the same evenly spaced 200/s straight to the sandbox, then through roomgate twice: at the default
 * GLOBAL_RATE_LIMIT=200, where its limiter paces (a permit is held for the round trip plus 1,010 ms, so it admits
 * at most about 197/s and a steady 200/s queues), and at 250, where the same limiter code runs but never has to
 * wait: that row is roomgate's own cost. The paths take turns, each in front of a sandbox of its own (measureQuotaPaths).
 */
async function addedLatency(report: Report): Promise<QuotaLatency> {
  const warmup = Math.round(QUOTA_SEGMENT_WARMUP_S * QUOTA);
  // With BENCH_TRACE, roomgate at 250 and the minimal handler run with phase-trace.mjs preloaded.
  const gatewayPath = (limit: number, trace = untraced) =>
    openQuotaPath(async (sandbox) => {
      const gateway = await startGateway(
        sandbox,
        { GLOBAL_RATE_LIMIT: String(limit), ...trace.env },
        trace.args,
      );
      return { front: gateway, target: (prefix: string) => gatewayTarget(gateway, prefix) };
    });
  const opening: (() => Promise<OpenQuotaPath>)[] = [
    () =>
      openQuotaPath(async (sandbox) => {
        const query = signedQuery(sandbox);
        const origin = new URL(sandbox.url).origin;
        return {
          front: undefined,
          target: (prefix: string) => (i: number) => ({
            origin,
            path: `${CREATE_PATH}?${query(i * 2654435761)}`,
            headers: JSON_HEADERS,
            body: body(`${prefix}_${i}`),
          }),
        };
      }, true),
    () => gatewayPath(QUOTA),
    () => gatewayPath(250, traced('roomgate')),
    // The reference: what one more hop through the least this stack can be (no auth, logs, metrics or limits) adds.
    () =>
      openQuotaPath(async (sandbox) => {
        const trace = traced('minimal');
        const minimal = await startMinimalHandler(
          sandbox,
          signedQuery(sandbox)(1234567),
          trace.args,
          undefined,
          trace.env,
        );
        return { front: minimal, target: (prefix: string) => frontTarget(minimal, prefix) };
      }),
  ];
  const open: OpenQuotaPath[] = [];
  try {
    for (const next of opening) open.push(await next());
  } catch (err) {
    await stopQuotaPaths(open);
    throw err;
  }
  const [directPath, pacedPath, freePath, hopPath] = (await measureQuotaPaths(open, [
    'd',
    'g200',
    'g250',
    'm',
  ])) as [QuotaPath, QuotaPath, QuotaPath, QuotaPath];
  // Read once the gateway has stopped: its last batch of log lines is written at exit.
  const ownFree = answerTimesFromLog(freePath.front?.output() ?? '', freePath.prefixes, warmup).get(201);
  const direct = directPath.result;
  const paced = pacedPath.result;
  const free = freePath.result;
  const hop = hopPath.result;
  const m = latencyOf(hop.samples);
  const d = latencyOf(direct.samples);
  const p = latencyOf(paced.samples);
  const g = latencyOf(free.samples);
  const directOk = direct.samples.filter((s) => s.text?.includes('"ErrorCode":0')).length;
  const loadNote = ({ result: r, sandboxGc: gc }: QuotaPath) =>
    `${r.errors} errors; offered ${fmt(r.offeredPerSecond, 1)}/s, worst send lag ${fmt(r.maxLagMs)} ms; steal ${pct(r.steal)}; the sandbox's GC: ${gc.count} pauses ≥ 5 ms, longest ${fmt(gc.longestMs, 1)} ms`;
  report.lines.push(
    `## 1. Added latency at the real quota (${QUOTA} req/s evenly spaced, ${SECONDS} s per path; each path in front of a sandbox of its own, first warmed up ${BURST_S} s at full speed, then measured in ${QUOTA_ROUNDS} segments of ${QUOTA_SEGMENT_S} s taking turns with the others in alternating order, each after ${QUOTA_SEGMENT_WARMUP_S} s at the measured rate${TRACE_DIR ? '; BENCH_TRACE: roomgate at 250 and the minimal handler traced' : ''})`,
    '',
    '| path | samples | p50 ms | p99 ms | p99.9 ms | max ms | answers |',
    '|---|---:|---:|---:|---:|---:|---|',
    latencyRow(
      'client → sandbox (signed by the client)',
      d,
      `${directOk} ErrorCode 0, ${loadNote(directPath)}`,
    ),
    latencyRow(
      'client → roomgate (GLOBAL_RATE_LIMIT=200, default) → sandbox',
      p,
      `${statusCounts(paced.samples)}, ${loadNote(pacedPath)}`,
    ),
    latencyRow(
      'client → roomgate (GLOBAL_RATE_LIMIT=250) → sandbox',
      g,
      `${statusCounts(free.samples)}, ${loadNote(freePath)}`,
    ),
    latencyRow(
      'client → minimal Fastify + zod + undici handler → sandbox (reference)',
      m,
      `${statusCounts(hop.samples)}, ${loadNote(hopPath)}`,
    ),
    `| the minimal handler adds (one more hop, nothing else) | | ${fmt(m.p50 - d.p50)} | ${fmt(m.p99 - d.p99)} | ${fmt(m.p999 - d.p999)} | | |`,
    `| roomgate adds, default limit (pacing included) | | ${fmt(p.p50 - d.p50)} | ${fmt(p.p99 - d.p99)} | ${fmt(p.p999 - d.p999)} | | |`,
    `| **roomgate adds, its own cost (limiter not pacing)** | | **${fmt(g.p50 - d.p50)}** | **${fmt(g.p99 - d.p99)}** | **${fmt(g.p999 - d.p999)}** | | target ≤ 0.5 at p50, ≤ 1 at p99 |`,
    '',
    `In roomgate's own request log (GLOBAL_RATE_LIMIT=250; from reading the request to sending the answer, the sandbox's round trip included): ${ownFree ? `p50 ${fmt(ownFree.p50)}, p99 ${fmt(ownFree.p99)}, p99.9 ${fmt(ownFree.p999)}, max ${fmt(ownFree.max)} ms over ${ownFree.n} creates` : 'no request lines found'}.`,
    '',
    ...(TRACE_DIR
      ? phaseLines(
          frontPhasesOf(traceFile('roomgate'), freePath.epochWindows),
          frontPhasesOf(traceFile('minimal'), hopPath.epochWindows),
        )
      : []),
  );
  report.verdicts.push(
    `Scenario 1, added latency (own cost): ${signed(g.p50 - d.p50)} ms p50 (target ≤ 0.5: ${g.p50 - d.p50 <= 0.5 ? 'met' : 'MISSED'}), ${signed(g.p99 - d.p99)} ms p99 (target ≤ 1: ${g.p99 - d.p99 <= 1 ? 'met' : 'MISSED'}); a minimal handler adds ${signed(m.p50 - d.p50)} ms p50, ${signed(m.p99 - d.p99)} ms p99 on this machine; at the default limit, pacing included: ${signed(p.p50 - d.p50)} ms p50, ${signed(p.p99 - d.p99)} ms p99; hypervisor steal ${pct(direct.steal)} (direct) and ${pct(free.steal)} (roomgate) of the machine's CPU`,
  );
  return { client: g, own: ownFree };
}

/** The front a traced table sets roomgate against: its table column, and how the prose names it. */
interface TracedReference {
  column: string;
  prose: string;
}

/**
 * BENCH_TRACE's table: each phase of a create inside roomgate (GLOBAL_RATE_LIMIT=250) and inside the minimal
 * handler, over their measured segments, and their GC pauses meanwhile (phases.ts).
 */
function phaseLines(
  gate: FrontPhases | undefined,
  minimal: FrontPhases | undefined,
  intro = (n: [number, number]) =>
    `Inside the fronts (BENCH_TRACE: phase-trace.mjs preloaded into roomgate at GLOBAL_RATE_LIMIT=250 and into the minimal handler, which makes both a little slower; ${n[0]} and ${n[1]} creates of the measured segments, ms):`,
  reference: TracedReference = { column: 'minimal', prose: 'minimal handler' },
): string[] {
  const cell = (f: FrontPhases | undefined, i: number) =>
    f ? `${fmt(f.phases[i]?.p50 ?? Number.NaN)} | ${fmt(f.phases[i]?.p99 ?? Number.NaN)}` : 'n/a | n/a';
  const gc = (f: FrontPhases | undefined) =>
    f
      ? `${f.gc.count} (${f.gc.overMs1} of 1 ms or more, ${fmt(f.gc.sumMs, 1)} ms in all, longest ${fmt(f.gc.longestMs)} ms)`
      : 'n/a (no trace written)';
  return [
    intro([gate?.n ?? 0, minimal?.n ?? 0]),
    '',
    `| phase | roomgate p50 | roomgate p99 | ${reference.column} p50 | ${reference.column} p99 |`,
    '|---|---:|---:|---:|---:|',
    ...PHASES.map(({ name }, i) => `| ${name} | ${cell(gate, i)} | ${cell(minimal, i)} |`),
    '',
    `GC pauses during the measured part: roomgate ${gc(gate)}; the ${reference.prose} ${gc(minimal)}.`,
    '',
  ];
}

/** Scenario 1's warm-up (BURST_S): the target's path and headers at full speed. */
async function burst(target: (i: number) => Target, prefix: string): Promise<void> {
  const { origin, path, headers } = target(0);
  mustHaveAnswered(await cannon(`${origin}${path}`, headers, prefix, BURST_S), origin);
}

/** A warm-up that got no answer at all warmed nothing up: the measurement after it would not mean what it says. */
function mustHaveAnswered(warmUp: { ok: number; non2xx: number }, where: string): void {
  if (warmUp.ok + warmUp.non2xx === 0) throw new Error(`the warm-up got no answer from ${where}`);
}

async function cannon(url: string, headers: Record<string, string>, prefix: string, seconds: number) {
  let n = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, body: body(`${prefix}_${n++}`) }) }],
  });
  return {
    ok: result['2xx'],
    okPerSecond: result['2xx'] / seconds,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** One front's totals over the rounds of scenario 2. */
interface CapacityRow {
  ok: number;
  seconds: number;
  okPerSecond: number;
  non2xx: number;
  errors: number;
  /** Each round's p50 and p99 (ms), and its 2xx per second. */
  rounds: { p50: number; p99: number; okPerSecond: number }[];
  /** CPU time (user + system, all threads) per answered create, in µs: of the process under test, of the sandbox. */
  cpuUs: number;
  sandboxCpuUs: number;
  /** The hypervisor's steal over this front's rounds, as a share of the machine's CPU time. */
  steal: number;
}

/** Scenario 2's rounds: each front is measured this many times, in alternating order, so drift hits all alike. */
const CAPACITY_ROUNDS = 2;
/** Scenario 2 measures each front for SECONDS / 2 in all, split over its rounds. */
const CAPACITY_ROUND_S = Math.max(1, Math.round(SECONDS / 2 / CAPACITY_ROUNDS));

/**
 * Measures the fronts (bare proxy, minimal handler, roomgate; all running, each idle while not loaded) in
 * CAPACITY_ROUNDS rounds, the order reversed every other round: this machine's speed drifts by tens of percent
 * within minutes, and fronts measured one after the other would each meet a different machine. Each front is
 * first warmed up long enough for V8 to have optimized its hot path. Throughput and the CPU the front and the
 * sandbox spent per create are summed over the rounds; on a machine whose few cores are shared by everything,
 * CPU per request is the steadier comparison, and throughput follows from it.
 */
async function loadFronts(
  fronts: { front: BenchProcess; headers: Record<string, string> }[],
  sandbox: Sandbox,
  warmupS: number,
  prefix: string,
): Promise<CapacityRow[]> {
  const seconds = CAPACITY_ROUND_S;
  const url = (i: number) => `${fronts[i]?.front.url}/rooms`;
  for (const [i, { headers }] of fronts.entries())
    mustHaveAnswered(await cannon(url(i), headers, `${prefix}w${i}${run}`, warmupS), url(i));
  const rows: CapacityRow[] = fronts.map(() => ({
    ok: 0,
    seconds: 0,
    okPerSecond: 0,
    non2xx: 0,
    errors: 0,
    rounds: [],
    cpuUs: 0,
    sandboxCpuUs: 0,
    steal: Number.NaN,
  }));
  const cpuMs = fronts.map(() => [0, 0]);
  const ticks: CpuTicks[] = fronts.map(() => ({ steal: 0, total: 0 }));
  for (let round = 0; round < CAPACITY_ROUNDS; round++) {
    const order = [...fronts.keys()];
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const { front, headers } = fronts[i] as (typeof fronts)[number];
      const row = rows[i] as CapacityRow;
      const before = [cpuMsOf(front.pid), cpuMsOf(sandbox.pid)];
      const ticksBefore = readCpuTicks();
      const r = await cannon(url(i), headers, `${prefix}c${i}r${round}${run}`, seconds);
      ticks[i] = addTicks(ticks[i] as CpuTicks, ticksBefore, readCpuTicks());
      const spent = cpuMs[i] as number[];
      spent[0] = (spent[0] as number) + cpuMsOf(front.pid) - (before[0] as number);
      spent[1] = (spent[1] as number) + cpuMsOf(sandbox.pid) - (before[1] as number);
      row.ok += r.ok;
      row.seconds += seconds;
      row.non2xx += r.non2xx;
      row.errors += r.errors;
      row.rounds.push({ p50: r.p50, p99: r.p99, okPerSecond: r.okPerSecond });
    }
  }
  for (const [i, row] of rows.entries()) {
    const [front, sandboxMs] = cpuMs[i] as [number, number];
    row.okPerSecond = row.ok / row.seconds;
    row.cpuUs = (front * 1000) / Math.max(1, row.ok);
    row.sandboxCpuUs = (sandboxMs * 1000) / Math.max(1, row.ok);
    row.steal = stealShare({ steal: 0, total: 0 }, ticks[i]);
  }
  return rows;
}

/** Scenario 2's second measurement holds every front to this much of a core (cpu-cap.ts). */
const CAPPED_CORES = 0.5;

/** The capped measurement's rows, with how often each front was held back (so a cap that did not bite shows). */
interface CappedRows {
  rows: CapacityRow[];
  throttled: number[];
  ratio: number;
  minimalRatio: number;
}

/**
 * Scenario 2 again with every front held to CAPPED_CORES by a cgroup CPU quota, after the uncapped rounds (so
 * warm), 2 s at full load each to settle under the cap. On this machine the sandbox and the load generator share
 * the two cores with the front and spend more per create than it does, so the uncapped ratio says as much about
 * them as about the front; held to half a core, each front is what limits its own throughput, as where a gateway
 * runs on cores of its own (ANALYSIS.md, eleventh round). Undefined where no cgroup can be written.
 */
async function loadCappedFronts(
  fronts: { front: BenchProcess; headers: Record<string, string> }[],
  sandbox: Sandbox,
): Promise<CappedRows | undefined> {
  const caps = fronts.map(({ front }, i) => capCpu(front.pid, `front${i}`, CAPPED_CORES));
  try {
    if (!caps.every((cap) => cap !== undefined)) return undefined;
    const before = caps.map((cap) => cap.throttled());
    const rows = await loadFronts(fronts, sandbox, 2, 'q');
    const [bare, minimal, gate] = rows as [CapacityRow, CapacityRow, CapacityRow];
    return {
      rows,
      throttled: caps.map((cap, i) => cap.throttled() - (before[i] as number)),
      ratio: gate.okPerSecond / bare.okPerSecond,
      minimalRatio: minimal.okPerSecond / bare.okPerSecond,
    };
  } finally {
    for (const cap of caps) cap?.release();
  }
}

function cappedLine(capped: CappedRows | undefined): string {
  if (!capped)
    return `Held to ${CAPPED_CORES} of a core each: not measured (no cgroup CPU controller could be written here; the bench needs root for it).`;
  const [bare, minimal, gate] = capped.rows as [CapacityRow, CapacityRow, CapacityRow];
  const rounds = (r: CapacityRow) => r.rounds.map((x) => fmt(x.okPerSecond, 0)).join(' / ');
  const front = (name: string, r: CapacityRow, i: number) =>
    `${name} ${fmt(r.okPerSecond, 0)}/s (${rounds(r)}; ${fmt(r.cpuUs, 0)} µs per create; held back in ${capped.throttled[i]} periods)`;
  return (
    `Held to ${CAPPED_CORES} of a core each (a cgroup CPU quota, after the rows above; ${CAPACITY_ROUNDS} rounds of ${CAPACITY_ROUND_S} s in alternating order), so that each front and not the sandbox or the load generator on the same two cores limits its throughput: ` +
    `${front('bare proxy', bare, 0)}, ${front('minimal handler', minimal, 1)}, ${front('roomgate', gate, 2)}; ` +
    `roomgate / bare proxy = **${fmt(capped.ratio)}x**, the minimal handler ${fmt(capped.minimalRatio)}x.`
  );
}

/**
 * Scenario 2: maximum create throughput with the limits lifted: roomgate vs a bare @fastify/http-proxy, with a
 * minimal Fastify + zod + undici handler (bench/minimal-handler.ts) as the reference for what this stack costs.
 */
async function capacity(report: Report): Promise<void> {
  const sandbox = await startSandbox(1_000_000_000);
  const names = [
    'client → bare @fastify/http-proxy → sandbox',
    'client → minimal Fastify + zod + undici handler → sandbox (reference)',
    'client → roomgate → sandbox (GLOBAL_RATE_LIMIT=100000, its maximum)',
  ];
  const fronts: { front: BenchProcess; headers: Record<string, string> }[] = [];
  let rows: CapacityRow[];
  let capped: CappedRows | undefined;
  try {
    const query = signedQuery(sandbox)(1234567);
    const profile = profileArgs('capacity');
    fronts.push({ front: await startBareProxy(sandbox, query, profile), headers: JSON_HEADERS });
    fronts.push({ front: await startMinimalHandler(sandbox, query, profile), headers: JSON_HEADERS });
    fronts.push({
      front: await startGateway(sandbox, { GLOBAL_RATE_LIMIT: '100000', ROOMGATE_QUEUE_MS: '1000' }, profile),
      headers: GATEWAY_HEADERS,
    });
    rows = await loadFronts(fronts, sandbox, CAPACITY_WARMUP_S, '');
    capped = await loadCappedFronts(fronts, sandbox);
  } finally {
    for (const { front } of fronts) await front.stop();
    await sandbox.stop();
  }
  const [bare, minimal, gate] = rows as [CapacityRow, CapacityRow, CapacityRow];
  const ratio = gate.okPerSecond / bare.okPerSecond;
  const perRound = (r: CapacityRow, pick: (x: CapacityRow['rounds'][number]) => number) =>
    r.rounds.map((x) => fmt(pick(x), 0)).join(' / ');
  const row = (r: CapacityRow, i: number) =>
    `| ${names[i]} | ${fmt(r.okPerSecond, 0)} (${perRound(r, (x) => x.okPerSecond)}) | ${fmt(r.okPerSecond / bare.okPerSecond)}x | ${fmt(r.cpuUs, 0)} | ${fmt(r.sandboxCpuUs, 0)} | ${perRound(r, (x) => x.p50)} | ${perRound(r, (x) => x.p99)} | ${r.non2xx} | ${r.errors} | ${pct(r.steal)} |`;
  const roundRatios = gate.rounds.map((g, i) =>
    fmt(g.okPerSecond / (bare.rounds[i]?.okPerSecond ?? Number.NaN)),
  );
  report.lines.push(
    `## 2. Capacity with the limits lifted (autocannon, ${CONNECTIONS} connections; ${CAPACITY_ROUNDS} rounds of ${CAPACITY_ROUND_S} s per front in alternating order, after ${CAPACITY_WARMUP_S} s of warm-up each)`,
    '',
    '| path | 2xx per s (each round) | vs bare | CPU µs per create (front) | CPU µs per create (sandbox) | p50 ms (each round) | p99 ms (each round) | non-2xx | errors | hypervisor steal |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(row),
    '',
    `roomgate / bare proxy = **${fmt(ratio)}x** over all rounds (each round: ${roundRatios.join(', ')}; target ≥ 1.2x); the minimal handler reaches ${fmt(minimal.okPerSecond / bare.okPerSecond)}x. ` +
      `roomgate spends ${fmt(gate.cpuUs / minimal.cpuUs)}x the minimal handler's CPU per create, for its logging, metrics, limiter, breaker and full validation. ` +
      "The gateway runs with `npm start`'s flags (`--max-semi-space-size=64`); the bare proxy and the minimal handler with Node's defaults.",
    '',
    cappedLine(capped),
    '',
  );
  report.verdicts.push(
    `Scenario 2, capacity: ${fmt(ratio)}x the bare proxy (rounds: ${roundRatios.join(', ')}; target ≥ 1.2x: ${ratio >= 1.2 ? 'met' : 'MISSED'}); minimal handler ${fmt(minimal.okPerSecond / bare.okPerSecond)}x; roomgate ${fmt(gate.cpuUs, 0)} µs CPU per create vs ${fmt(minimal.cpuUs, 0)} (minimal) and ${fmt(bare.cpuUs, 0)} (bare proxy); hypervisor steal ${pct(gate.steal)} during roomgate's rounds, ${pct(bare.steal)} during the bare proxy's${capped ? `; with each front held to ${CAPPED_CORES} of a core (the front then limits the throughput): roomgate ${fmt(capped.ratio)}x, minimal handler ${fmt(capped.minimalRatio)}x` : ''}`,
  );
}

/**
 * The gateway's own histograms, as cumulative counts per bucket: how long admitted creates waited for their
 * permit (`limiter wait`) and how long Tencent (here the sandbox) took to answer them (`upstream`). Answer times
 * come from its request log instead (gateway-log.ts), which gives them exactly.
 */
async function gatewayHistograms(url: string): Promise<Map<string, Map<number, number>>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const histograms = new Map<string, Map<number, number>>();
  const line = /^roomgate_(\w+)_bucket\{(.*)\} (\d+)$/;
  for (const row of text.split('\n')) {
    const m = line.exec(row);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1] as string, x[2] as string]),
    );
    let name: string | undefined;
    if (m[1] === 'limiter_wait_seconds' && labels.command === 'create_room') name = 'limiter wait';
    else if (
      m[1] === 'upstream_duration_seconds' &&
      labels.command === 'create_room' &&
      labels.outcome === '0'
    )
      name = 'upstream';
    if (name === undefined) continue;
    const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
    if (!histograms.has(name)) histograms.set(name, new Map());
    histograms.get(name)?.set(le, Number(m[3]));
  }
  return histograms;
}

/** The bucket bound (ms) within which a fraction `p` of the answers counted between two scrapes fell. */
function bucketPercentile(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
  p: number,
): string {
  if (!after) return 'n/a';
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (le: number) => (after.get(le) ?? 0) - (before?.get(le) ?? 0);
  const total = count(Number.POSITIVE_INFINITY);
  if (total === 0) return 'n/a';
  const bound = bounds.find((le) => count(le) >= p * total) ?? Number.POSITIVE_INFINITY;
  return Number.isFinite(bound) ? `≤ ${fmt(bound * 1000, 1)}` : `> ${fmt((bounds.at(-2) ?? 0) * 1000, 0)}`;
}

/**
 * Scenario 3's reference: the minimal handler shedding with a fixed 429 (minimal-handler.ts, one admission per
 * pacing interval, as roomgate's limiter sends while it sheds) under the same load, in front of a sandbox of its
 * own. It is the floor of this stack on this machine: the answer times that admitted creates can have at 4,000
 * req/s when refusing costs next to nothing. (Eighth round: 40 µs of CPU added to each of its refusals took its
 * admitted p99 at the client from ~5 to ~30 ms: the tail follows the cost of a refusal, steeply.)
 */
async function overloadFloor(
  warmup: number,
  count: number,
): Promise<Awaited<ReturnType<typeof measuredLoop>> & { phases: FrontPhases | undefined }> {
  const sandbox = await startSandbox(QUOTA);
  const trace = traced('overload-floor', true);
  try {
    // roomgate holds a permit for a window plus a margin of 10 ms after each answer: about this interval apart.
    const front = await startMinimalHandler(
      sandbox,
      signedQuery(sandbox)(7654321),
      [...profileArgs('overload-floor'), ...trace.args],
      1010 / QUOTA,
      trace.env,
    );
    let result: Awaited<ReturnType<typeof measuredLoop>>;
    try {
      result = await measuredLoop(
        {
          ratePerSecond: OVERLOAD,
          count,
          warmup,
          connections: CONNECTIONS,
          target: frontTarget(front, `f${run}`),
        },
        front,
      );
    } finally {
      await front.stop();
    }
    return {
      ...result,
      phases: TRACE_DIR ? frontPhasesOf(traceFile('overload-floor'), [onEpoch(result.window)]) : undefined,
    };
  } finally {
    await sandbox.stop();
  }
}

/**
 * Scenario 3: 20x the quota offered at default limits. The warm-up's requests are sent but not recorded with the
 * rest (the gateway's answer times during it are reported as the onset).
 * Answer times are reported twice: at the client, which includes the load generator's lag on the cores it
 * shares, and from the gateway's own request log, which does not. The gateway's histograms, read before and
 * after the recorded part, say where an admitted create's time went.
 */
async function overload(report: Report, quota: QuotaLatency): Promise<void> {
  // The onset of overload is not its steady state. The limiter recognizes sustained overload once its queue has
  // stood for ROOMGATE_QUEUE_MS plus a window (about 2 s at the defaults), what was queued until then takes up to
  // ROOMGATE_QUEUE_MS more to drain, and the backlog those seconds leave in the load generator (it cannot send
  // while every connection waits) then takes a few more to clear at full CPU: about 8 s in all on the bench
  // machine, judged by the gateway's answer times second by second. The warm-up covers it, and the onset is
  // reported on its own below.
  const warmupS = Math.max(WARMUP_S, Math.min(10, SECONDS));
  const warmup = Math.round(warmupS * OVERLOAD);
  const count = warmup + Math.round(SECONDS * OVERLOAD);
  const sandbox = await startSandbox(QUOTA);
  let result: Awaited<ReturnType<typeof measuredLoop>>;
  let memory: ReturnType<typeof memoryOf>;
  let idle: ReturnType<typeof memoryOf>;
  let busiest: number;
  let arrivals: Awaited<ReturnType<Sandbox['arrivals']>>;
  let before: Promise<Map<string, Map<number, number>>> | undefined;
  let after: Map<string, Map<number, number>>;
  let own: Map<number, Latency>;
  let onset: Latency | undefined;
  const trace = traced('overload-roomgate', true);
  try {
    const gateway = await startGateway(sandbox, trace.env, [...profileArgs('overload'), ...trace.args]);
    try {
      idle = memoryOf(gateway.pid);
      // The gateway's histograms are read a little before the recorded part, not as it starts: under this load a
      // scrape backs the load generator up for a moment (the admitted p50 of the following second rose from ~10
      // to ~45 ms), and the recorded part should not begin with the bench's own disturbance. A first scrape now,
      // while it is idle, also spares that one compiling prom-client's collectors.
      await gatewayHistograms(gateway.url);
      const snapshotAfterMs = Math.max(0, warmupS - 2) * 1000;
      const snapshot = setTimeout(() => {
        before = gatewayHistograms(gateway.url);
      }, snapshotAfterMs);
      result = await measuredLoop(
        {
          ratePerSecond: OVERLOAD,
          count,
          warmup,
          // As many callers' connections as in the other scenarios. Now that a standing queue is shed, 429s take a
          // few ms and 4,000 req/s keep about 10 connections busy; a request that finds none idle waits in the load
          // generator (its latency counts from its actual send; the send lag is reported apart). With 512, each
          // turn of the gateway's event loop read hundreds of requests at once, and an admitted create's answer
          // from the sandbox waited behind all of them: admitted p99 ~470 ms against ~64 ms with 64 connections.
          connections: CONNECTIONS,
          target: gatewayTarget(gateway, `o${run}`),
        },
        gateway,
      );
      clearTimeout(snapshot);
      after = await gatewayHistograms(gateway.url);
      memory = memoryOf(gateway.pid);
    } finally {
      await gateway.stop();
    }
    // ~100,000 lines: read once for both parts of the run.
    const log = gateway.output();
    own = answerTimesFromLog(log, `o${run}`, warmup);
    onset = answerTimesFromLog(log, `o${run}`, 0, warmup).get(201);
    arrivals = (await sandbox.arrivals()).filter((a) => a.command.includes('create_room'));
    busiest = busiestWindow(arrivals.map((a) => a.at));
  } finally {
    await sandbox.stop();
  }
  const floor = await overloadFloor(warmup, count);
  const floorAdmitted = latencyOf(floor.samples.filter((s) => s.status === 201));
  const floorRefused = latencyOf(floor.samples.filter((s) => s.status === 429));
  const floorNote = `minimal handler, fixed 429 (reference): ${statusCounts(floor.samples)}, ${floor.errors} errors, CPU ${fmt(floor.cpuUs, 0)} µs per request, steal ${pct(floor.steal)}`;
  const earlier = (await before) ?? new Map();
  const admitted = latencyOf(result.samples.filter((s) => s.status === 201));
  const refused = latencyOf(result.samples.filter((s) => s.status === 429));
  const refusedByUpstream = arrivals.filter((a) => a.outcome !== 0).length;
  const ownAdmitted = own.get(201);
  const ownRefused = own.get(429);
  const served = (l: Latency | undefined) => (l ? `${fmt(l.p50)} / ${fmt(l.p99)} / ${fmt(l.max)}` : 'n/a');
  const part = (name: string) =>
    `p50 ${bucketPercentile(earlier.get(name), after.get(name), 0.5)} ms, p99 ${bucketPercentile(earlier.get(name), after.get(name), 0.99)} ms`;
  report.lines.push(
    `## 3. Overload: ${OVERLOAD} req/s offered for ${SECONDS} s at default limits (GLOBAL_RATE_LIMIT=200, ROOMGATE_QUEUE_MS=1000), after ${warmupS} s of warm-up`,
    '',
    `Offered ${fmt(result.offeredPerSecond, 0)} req/s (worst send lag ${fmt(result.maxLagMs)} ms); answers: ${statusCounts(result.samples)}, ${result.errors} errors. Gateway CPU ${fmt(result.cpuUs, 0)} µs per request. Hypervisor steal ${pct(result.steal)} of the machine's CPU.`,
    '',
    "| answers | n | p50 ms | p99 ms | p99.9 ms | max ms | in the gateway's own request log: p50 / p99 / max, ms | note |",
    '|---|---:|---:|---:|---:|---:|---|---|',
    `${latencyRow('201 admitted', admitted, `${served(ownAdmitted)} | scenario 1 p99 was ${fmt(quota.client.p99)} ms at the client, ${fmt(quota.own?.p99 ?? Number.NaN)} in the gateway; an admitted request may wait up to ROOMGATE_QUEUE_MS for its permit`)}`,
    `${latencyRow('429 refused', refused, `${served(ownRefused)} | `)}`,
    `${latencyRow('201 admitted by the minimal handler shedding (reference)', floorAdmitted, `n/a | ${floorNote}`)}`,
    `${latencyRow('429 refused by the minimal handler shedding (reference)', floorRefused, 'n/a | ')}`,
    '',
    `Where an admitted create's time went, in the gateway's histograms (from 2 s before the recorded part): waiting for its permit ${part('limiter wait')}; the sandbox's answer ${part('upstream')}.`,
    '',
    `The onset, i.e. the ${warmupS} s of warm-up, not in the rows above: admitted creates in the gateway's own request log ${onset ? `p50 ${fmt(onset.p50)}, p99 ${fmt(onset.p99)}, max ${fmt(onset.max)} ms over ${onset.n}` : 'n/a'} (until the limiter recognizes sustained overload, arrivals queue for up to ROOMGATE_QUEUE_MS).`,
    '',
    `Sandbox: ${arrivals.length} create_room arrivals, busiest 1,000 ms window **${busiest}** (limit ${QUOTA}), ${refusedByUpstream} refused by the sandbox.`,
    `Gateway RSS: ${fmt(idle?.rssMiB ?? Number.NaN, 1)} MiB idle, peak **${fmt(memory?.peakRssMiB ?? Number.NaN, 1)} MiB** (VmHWM).`,
    '',
    ...(TRACE_DIR
      ? phaseLines(
          frontPhasesOf(traceFile('overload-roomgate'), [onEpoch(result.window)]),
          floor.phases,
          (n) =>
            `Admitted creates inside the fronts (BENCH_TRACE: phase-trace.mjs preloaded into the gateway and into the floor, following the handler across awaits, which makes both slower; ${n[0]} and ${n[1]} admitted creates of the recorded part, ms):`,
          { column: 'floor', prose: 'floor' },
        )
      : []),
  );
  const ownGap = (ownAdmitted?.p99 ?? Number.NaN) - (quota.own?.p99 ?? Number.NaN);
  const clientGap = admitted.p99 - quota.client.p99;
  const verdict = (gap: number) => (gap <= 5 ? 'met' : Number.isNaN(gap) ? 'n/a' : 'MISSED');
  report.verdicts.push(
    `Scenario 3, overload: 429 p99 ${fmt(ownRefused?.p99 ?? Number.NaN)} ms in the gateway (${fmt(refused.p99)} ms at the client, whose load generator shares the cores); admitted p99 vs scenario 1's (target within 5 ms): in the gateway ${fmt(ownAdmitted?.p99 ?? Number.NaN)} vs ${fmt(quota.own?.p99 ?? Number.NaN)} ms, ${signed(ownGap)} (${verdict(ownGap)}), at the client ${fmt(admitted.p99)} vs ${fmt(quota.client.p99)} ms, ${signed(clientGap)} (${verdict(clientGap)}); busiest second at the sandbox ${busiest} (≤ ${QUOTA}: ${busiest <= QUOTA ? 'met' : 'MISSED'}); peak RSS ${fmt(memory?.peakRssMiB ?? Number.NaN, 1)} MiB; hypervisor steal ${pct(result.steal)}; this stack's floor (the minimal handler shedding with a fixed 429): admitted p99 ${fmt(floorAdmitted.p99)} ms at the client, ${fmt(floor.cpuUs, 0)} µs of CPU per request against roomgate's ${fmt(result.cpuUs, 0)}`,
  );
}

/** Scenario 4: many RoomIds through the in-process limiter, in a child with --expose-gc. */
async function manyRoomIds(report: Report): Promise<void> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/memory.ts', String(KEYS)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`bench/memory.ts exited with ${code}`);
  const m = JSON.parse(out) as Record<string, number>;
  const returned = (m.expired as number) - (m.before as number);
  report.lines.push(
    `## 4. Memory under many RoomIds (${m.keys} distinct RoomIds through createMemoryLimiter, acquire + release)`,
    '',
    '| heap after full GC | MiB | RoomIds held |',
    '|---|---:|---:|',
    `| before | ${fmt(m.before as number)} | 0 |`,
    `| right after the run (${fmt(m.runMs as number, 0)} ms, ${fmt(m.acquiresPerSecond as number, 0)} acquires/s) | ${fmt(m.after as number)} | ${m.live} |`,
    `| after the window expired and one more acquire swept (${fmt(m.sweepMs as number, 1)} ms) | ${fmt(m.expired as number)} | ${m.left} |`,
    '',
  );
  report.verdicts.push(
    `Scenario 4, memory: heap ${fmt(m.before as number)} → ${fmt(m.after as number)} → ${fmt(m.expired as number)} MiB, ${m.left} RoomId left (returns to its start: ${returned < 1 && (m.left as number) <= 1 ? 'met' : 'MISSED'})`,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const ticksAtStart = readCpuTicks();
  const cpu = cpus()[0]?.model ?? 'unknown';
  const report: Report = {
    lines: [
      '# roomgate benchmark results',
      '',
      `${new Date().toISOString()} · Node ${process.version} · ${cpu} × ${cpus().length} · ${fmt(totalmem() / 2 ** 30, 1)} GiB · ` +
        `BENCH_SECONDS=${SECONDS}, BENCH_KEYS=${KEYS}. Everything on 127.0.0.1: sandbox, gateway (compiled, dist/server.js, LOG_LEVEL=info to a file) and bare proxy in processes of their own; load from the bench process. Exact percentiles over all samples.`,
      '',
    ],
    verdicts: [],
  };
  const only = new Set((process.env.BENCH_ONLY ?? '1,2,3,4').split(',').map((x) => x.trim()));
  const quota = only.has('1') || only.has('3') ? await addedLatency(report) : undefined;
  if (only.has('2')) await capacity(report);
  if (only.has('3') && quota) await overload(report, quota);
  if (only.has('4')) await manyRoomIds(report);
  report.lines.push('## Verdicts', '', ...report.verdicts.map((v) => `- ${v}`), '');
  report.lines.push(
    `Total bench time ${fmt((Date.now() - started) / 1000, 0)} s; the hypervisor's steal over the whole run ${pct(stealShare(ticksAtStart, readCpuTicks()))} of the machine's CPU (from /proc/stat; ANALYSIS.md, eighth round, says what it does to the numbers).`,
    '',
  );
  // What the numbers mean, the profile and what was tried: kept by hand in bench/ANALYSIS.md, carried into every
  // report so that a new run does not lose it.
  const analysis = resolve(root, 'bench/ANALYSIS.md');
  if (existsSync(analysis)) report.lines.push(readFileSync(analysis, 'utf8'));
  const text = report.lines.join('\n');
  process.stdout.write(`${text}\n`);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, text);
  process.stdout.write(`written to ${OUT}\n`);
}

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: still running after ${RUN_LIMIT_MS} ms, giving up\n`);
  process.exit(1);
}, RUN_LIMIT_MS);
watchdog.unref();
main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
