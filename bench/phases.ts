import { readFileSync } from 'node:fs';
import { type Latency, latencyOfUs } from './open-loop.js';

/** One request as phase-trace.mjs stamped it (epoch ms); a stamp is missing where its channel did not fire. */
export interface TracedRequest {
  in: number;
  handler?: number;
  create?: number;
  sent?: number;
  answered?: number;
  received?: number;
  handled?: number;
  out?: number;
}

/** A GC pause of the traced process: when it began (epoch ms) and how long it took. */
export interface TracedPause {
  gc: number;
  ms: number;
}

type Stamp = keyof TracedRequest;

/** A phase of a request through a front: from one stamp to another, less the span between two others if given. */
interface Phase {
  name: string;
  from: Stamp;
  to: Stamp;
  less?: [Stamp, Stamp];
}

/** The phases of a request through a front, each from one stamp to the next, then the front's own time. */
export const PHASES: readonly Phase[] = [
  { name: 'arrival → route handler (hooks, body, validation)', from: 'in', to: 'handler' },
  { name: 'route handler → upstream request made (limiter, signing)', from: 'handler', to: 'create' },
  { name: 'upstream request made → sent', from: 'create', to: 'sent' },
  { name: 'sent → upstream answer (the sandbox, both hops)', from: 'sent', to: 'answered' },
  { name: "upstream answer's body", from: 'answered', to: 'received' },
  { name: 'answer → route handler done (envelope, reply)', from: 'received', to: 'handled' },
  { name: 'route handler done → response finished', from: 'handled', to: 'out' },
  { name: 'in the front, upstream excluded', from: 'in', to: 'out', less: ['sent', 'answered'] },
];

/** A phase's length for one request, in ms; undefined when a stamp it needs is missing. */
function spanOf(r: TracedRequest, phase: Phase): number | undefined {
  const between = (from: Stamp, to: Stamp) =>
    r[from] === undefined || r[to] === undefined ? undefined : (r[to] as number) - (r[from] as number);
  const span = between(phase.from, phase.to);
  const less = phase.less ? between(...phase.less) : 0;
  return span === undefined || less === undefined ? undefined : span - less;
}

export interface FrontPhases {
  /** Requests traced from arrival to finish within the windows. */
  n: number;
  phases: Latency[];
  /** GC pauses within the windows: how many, how many of 1 ms or more, their sum and the longest (ms). */
  gc: { count: number; overMs1: number; sumMs: number; longestMs: number };
}

/** Reads phase-trace.mjs's output (JSON lines; a line cut short by a kill is skipped). */
export function readTrace(text: string): { requests: TracedRequest[]; pauses: TracedPause[] } {
  const requests: TracedRequest[] = [];
  const pauses: TracedPause[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let row: Partial<TracedRequest & TracedPause>;
    try {
      row = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof row.gc === 'number' && typeof row.ms === 'number') pauses.push({ gc: row.gc, ms: row.ms });
    else if (typeof row.in === 'number') requests.push(row as TracedRequest);
  }
  return { requests, pauses };
}

/**
 * Each phase's percentiles over the requests that arrived within `windows` (epoch ms: the measured parts, warm-ups
 * left out) and were stamped at every phase; the last phase is the whole stay minus the upstream round trip
 * (sent → answered), i.e. what the front itself took.
 */
export function frontPhases(
  trace: { requests: TracedRequest[]; pauses: TracedPause[] },
  windows: [number, number][],
): FrontPhases {
  const within = (t: number) => windows.some(([from, to]) => t >= from && t <= to);
  const complete = trace.requests.filter(
    (r) => within(r.in) && PHASES.every((phase) => spanOf(r, phase) !== undefined),
  );
  const phases = PHASES.map((phase) => latencyOfUs(complete.map((r) => (spanOf(r, phase) as number) * 1000)));
  const pauses = trace.pauses.filter((p) => within(p.gc));
  return {
    n: complete.length,
    phases,
    gc: {
      count: pauses.length,
      overMs1: pauses.filter((p) => p.ms >= 1).length,
      sumMs: pauses.reduce((sum, p) => sum + p.ms, 0),
      longestMs: Math.max(0, ...pauses.map((p) => p.ms)),
    },
  };
}

/** frontPhases of a trace file; undefined when the front wrote none (it did not exit cleanly). */
export function frontPhasesOf(file: string, windows: [number, number][]): FrontPhases | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return frontPhases(readTrace(text), windows);
}
