/**
 * The sandbox's own GC pauses, from its `--trace-gc` output. The sandbox stands in for Tencent, and it keeps every
 * room it creates, as Tencent does: its heap grows through a run, and its full collections (mark-compact, 6-21 ms
 * once it holds tens of thousands of rooms) stall every answer it owes at that moment. An answer that waited for
 * one shows as latency of whichever path was being measured then (ANALYSIS.md, ninth round), so scenario 1 reports
 * these pauses beside each path.
 */
export interface GcPauses {
  /** Pauses of at least `minMs` within the window. */
  count: number;
  /** The longest pause within the window, in ms (0 when there was none). */
  longestMs: number;
}

/**
 * V8's trace lines look like `[pid:0x…]   23988 ms: Mark-Compact 80.1 (96.5) -> 70.2 (97.3) MB, 6.62 / 0.03 ms …`:
 * the time since the isolate started, the kind, the heap sizes, the pause (main thread) and the time spent in
 * the external callbacks.
 */
const TRACE_LINE =
  /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: (Scavenge|Mark-Compact|Mark-Sweep|Minor Mark-Sweep)[^,]*, ([\d.]+) \//gm;

/** The pauses of `minMs` or more in the process's trace between `fromMs` and `toMs` of its own clock. */
export function gcPauses(trace: string, fromMs: number, toMs: number, minMs = 5): GcPauses {
  let count = 0;
  let longestMs = 0;
  for (const [, at, , pause] of trace.matchAll(TRACE_LINE)) {
    const t = Number(at);
    const ms = Number(pause);
    if (t < fromMs || t > toMs) continue;
    longestMs = Math.max(longestMs, ms);
    if (ms >= minMs) count++;
  }
  return { count, longestMs };
}
