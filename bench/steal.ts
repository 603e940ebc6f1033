import { readFileSync } from 'node:fs';

/**
 * CPU time the hypervisor took from this VM (steal), from /proc/stat (Linux). On the bench machine it is the
 * largest disturbance there is: idle ~2%, both cores busy ~6%, and up to a third of the machine during a
 * scenario (ANALYSIS.md, eighth round), which is what the earlier rounds saw as the machine's slow phases. Every
 * scenario reports the share of its measured part, so a run can be judged by what it ran on.
 */
export interface CpuTicks {
  /** Ticks the vCPUs were runnable but not run (steal, the 8th value of the aggregate `cpu` line). */
  steal: number;
  /** All ticks of all CPUs: user, nice, system, idle, iowait, irq, softirq and steal (guest time is in user). */
  total: number;
}

/** The aggregate `cpu` line of /proc/stat's text, or undefined when there is none (or it is too short). */
export function parseCpuTicks(procStat: string): CpuTicks | undefined {
  const line = /^cpu\s+([\d\s]+)$/m.exec(procStat)?.[1];
  const values = line?.trim().split(/\s+/).slice(0, 8).map(Number);
  if (!values || values.length < 8 || values.some((v) => !Number.isFinite(v))) return undefined;
  return { steal: values[7] as number, total: values.reduce((sum, v) => sum + v, 0) };
}

/** The machine's ticks now; undefined where /proc/stat cannot be read (not Linux). */
export function readCpuTicks(): CpuTicks | undefined {
  try {
    return parseCpuTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Steal as a share of all CPU time between two readings (0-1); NaN if either is missing or no tick passed. */
export function stealShare(from: CpuTicks | undefined, to: CpuTicks | undefined): number {
  if (!from || !to || to.total <= from.total) return Number.NaN;
  return (to.steal - from.steal) / (to.total - from.total);
}

/** Adds up the ticks of several intervals (a front's rounds in scenario 2). */
export function addTicks(sum: CpuTicks, from: CpuTicks | undefined, to: CpuTicks | undefined): CpuTicks {
  if (!from || !to) return sum;
  return { steal: sum.steal + to.steal - from.steal, total: sum.total + to.total - from.total };
}
