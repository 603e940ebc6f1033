import { describe, expect, it } from 'vitest';
import { gcPauses } from './gc-trace.js';

const trace = [
  '{"msg":"listening http://127.0.0.1:1234"}',
  '[27505:0x1008dd30]      427 ms: Mark-Compact 13.7 (29.1) -> 10.3 (29.9) MB, 6.67 / 0.06 ms  (+ 0.1 ms in 1 steps since start of marking) finalize incremental marking via stack guard; GC in old space requested',
  '[27505:0x1008dd30]     1188 ms: Scavenge 37.4 (56.5) -> 29.1 (59.0) MB, 15.53 / 0.01 ms  (average mu = 1.000, current mu = 1.000) task;',
  '[27505:0x1008dd30]     2022 ms: Scavenge 44.8 (62.0) -> 30.4 (62.5) MB, 2.71 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure;',
  '[27505:0x1008dd30]     3535 ms: Mark-Compact 33.4 (96.5) -> 24.9 (97.3) MB, 16.82 / 0.03 ms  (+ 16.0 ms in 76 steps since start of marking)',
  '{"msg":"request"}',
].join('\n');

describe('gcPauses', () => {
  it('counts the pauses of at least minMs within the window and finds the longest of all pauses in it', () => {
    expect(gcPauses(trace, 1000, 4000)).toEqual({ count: 2, longestMs: 16.82 });
    expect(gcPauses(trace, 1500, 3000)).toEqual({ count: 0, longestMs: 2.71 });
    expect(gcPauses(trace, 0, 500, 1)).toEqual({ count: 1, longestMs: 6.67 });
  });

  it('finds nothing in output without trace lines, or outside the window', () => {
    expect(gcPauses('{"msg":"listening"}\n', 0, 1e9)).toEqual({ count: 0, longestMs: 0 });
    expect(gcPauses(trace, 5000, 9000)).toEqual({ count: 0, longestMs: 0 });
  });
});
