import { describe, expect, it } from 'vitest';
import { frontPhases, PHASES, readTrace } from './phases.js';

/** A create stamped at every phase, starting at `t` (ms): 0.3 to the handler, 0.1 to the request, ... */
const create = (t: number, upstreamMs = 1) => ({
  in: t,
  handler: t + 0.3,
  create: t + 0.4,
  sent: t + 0.45,
  answered: t + 0.45 + upstreamMs,
  received: t + 0.5 + upstreamMs,
  handled: t + 0.7 + upstreamMs,
  out: t + 0.75 + upstreamMs,
});

describe('readTrace', () => {
  it('tells requests from GC pauses and skips a line cut short by a kill', () => {
    const text = [
      JSON.stringify(create(1000)),
      JSON.stringify({ gc: 1000.2, ms: 1.5 }),
      '{"in":2000,"hand',
      '',
    ].join('\n');
    const trace = readTrace(text);
    expect(trace.requests).toHaveLength(1);
    expect(trace.pauses).toEqual([{ gc: 1000.2, ms: 1.5 }]);
  });
});

describe('frontPhases', () => {
  it('times each phase, and the front without the upstream round trip, over the windows only', () => {
    const trace = {
      requests: [create(1000), create(1010, 5), create(5000, 50)],
      pauses: [
        { gc: 1001, ms: 2 },
        { gc: 1011, ms: 0.5 },
        { gc: 5001, ms: 30 },
      ],
    };
    const result = frontPhases(trace, [[900, 2000]]);
    expect(result.n).toBe(2);
    const byName = Object.fromEntries(PHASES.map(({ name }, i) => [name, result.phases[i]]));
    expect(byName['arrival → route handler (hooks, body, validation)']?.p50).toBeCloseTo(0.3, 6);
    // Upstream 1 and 5 ms: the front's own time is the same 0.75 ms for both.
    expect(byName['sent → upstream answer (the sandbox, both hops)']?.max).toBeCloseTo(5, 6);
    expect(byName['in the front, upstream excluded']?.max).toBeCloseTo(0.75, 6);
    expect(result.gc).toEqual({ count: 2, overMs1: 1, sumMs: 2.5, longestMs: 2 });
  });

  it('leaves out a request some stamp is missing from (its answer never came)', () => {
    const { out: _out, ...unfinished } = create(1000);
    const result = frontPhases({ requests: [unfinished, create(1020)], pauses: [] }, [[0, 2000]]);
    expect(result.n).toBe(1);
    expect(result.gc).toEqual({ count: 0, overMs1: 0, sumMs: 0, longestMs: 0 });
  });
});
