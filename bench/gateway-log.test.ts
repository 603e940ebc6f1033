import { describe, expect, it } from 'vitest';
import { answerTimesFromLog } from './gateway-log.js';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: 1, method: 'POST', route: '/rooms', msg: 'request', ...fields });

describe('answerTimesFromLog', () => {
  it("keeps the run's recorded part only, grouped by status, with exact percentiles", () => {
    const log = [
      '{"level":30,"msg":"roomgate ready"}',
      line({ requestId: 'o1.0', status: 201, latencyMs: 90 }), // warm-up
      line({ requestId: 'o1.1', status: 201, latencyMs: 1.5 }),
      line({ requestId: 'o1.2', status: 201, latencyMs: 2.5 }),
      line({ requestId: 'o1.3', status: 429, latencyMs: 0.25 }),
      line({ requestId: 'o2.5', status: 201, latencyMs: 70 }), // another run
      line({ requestId: 'o1.4', status: 201, latencyMs: 3, method: 'GET', route: '/rooms/:roomId' }),
      `${line({ requestId: 'o1.6', status: 201, latencyMs: 5 }).slice(0, 30)}`, // cut short by a kill
      '',
    ].join('\n');
    const times = answerTimesFromLog(log, 'o1', 1);
    expect([...times.keys()].sort()).toEqual([201, 429]);
    expect(times.get(201)).toEqual({ n: 2, p50: 1.5, p99: 2.5, p999: 2.5, max: 2.5 });
    expect(times.get(429)).toMatchObject({ n: 1, p50: 0.25, max: 0.25 });
  });

  it('picks out the warm-up alone when given where the recorded part starts', () => {
    const log = [
      line({ requestId: 'o1.0', status: 201, latencyMs: 90 }),
      line({ requestId: 'o1.1', status: 201, latencyMs: 1.5 }),
    ].join('\n');
    expect(answerTimesFromLog(log, 'o1', 0, 1).get(201)).toMatchObject({ n: 1, p50: 90 });
  });

  it('counts a line without a RoomId (refused on arrival), and no line of another run whose prefix starts alike', () => {
    const log = [
      line({ requestId: 'o1.1', status: 429, latencyMs: 0.1 }),
      line({ requestId: 'o12.1', status: 429, latencyMs: 9, roomId: 'x' }),
    ].join('\n');
    expect(answerTimesFromLog(log, 'o1', 0).get(429)).toMatchObject({ n: 1, p50: 0.1 });
  });

  it("joins the segments of a path that took turns, each from its own warm-up's end", () => {
    const log = [
      line({ requestId: 'g1r0.0', status: 201, latencyMs: 50 }), // segment 0's warm-up
      line({ requestId: 'g1r0.1', status: 201, latencyMs: 1 }),
      line({ requestId: 'm1r0.1', status: 201, latencyMs: 40 }), // another path's segment in between
      line({ requestId: 'g1r1.0', status: 201, latencyMs: 60 }), // segment 1's warm-up
      line({ requestId: 'g1r1.1', status: 201, latencyMs: 3 }),
      line({ requestId: 'g1r1.2', status: 201, latencyMs: 2 }),
    ].join('\n');
    expect(answerTimesFromLog(log, ['g1r0', 'g1r1'], 1).get(201)).toEqual({
      n: 3,
      p50: 2,
      p99: 3,
      p999: 3,
      max: 3,
    });
  });

  it('finds nothing in a log without request lines', () => {
    expect(answerTimesFromLog('{"msg":"roomgate ready"}\n', 'o1', 0).size).toBe(0);
  });
});
