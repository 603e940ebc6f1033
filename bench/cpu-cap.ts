import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A process held to a fixed share of the CPU by a cgroup of its own (the CFS bandwidth quota). Scenario 2 uses it
 * so that each front, not the sandbox and the load generator sharing the machine's two cores, is what limits the
 * throughput (bench/ANALYSIS.md, eleventh round).
 */
export interface CpuCap {
  /** How many scheduling periods the process was held back in so far (cpu.stat's nr_throttled). */
  throttled(): number;
  /** Moves the process back to the root group (if it still runs) and removes its group. Never throws. */
  release(): void;
}

/** The scheduling period of the quota: short, so a held-back front waits a few ms at a time, not a tenth of a second. */
const PERIOD_US = 10_000;

/**
 * Puts `pid` (all its threads) into a new cgroup allowed `cores` CPUs' worth of time, under cgroup v1's cpu
 * controller or cgroup v2 with the cpu controller enabled for the root's children. Undefined where neither can be
 * written (not root, a container without them): the caller then leaves that measurement out. `fsRoot` is where
 * cgroups are mounted (a test passes a directory of its own).
 */
export function capCpu(
  pid: number,
  label: string,
  cores: number,
  fsRoot = '/sys/fs/cgroup',
): CpuCap | undefined {
  const quotaUs = Math.max(1000, Math.round(cores * PERIOD_US));
  const v1 = join(fsRoot, 'cpu');
  const layout = existsSync(join(v1, 'cpu.cfs_quota_us'))
    ? { parent: v1, limit: (dir: string) => writeQuotaV1(dir, quotaUs) }
    : v2HasCpu(fsRoot)
      ? {
          parent: fsRoot,
          limit: (dir: string) => writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`),
        }
      : undefined;
  if (!layout) return undefined;
  const dir = join(layout.parent, `roomgate-bench-${label}-${process.pid}`);
  try {
    mkdirSync(dir);
    layout.limit(dir);
    writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  } catch {
    removeGroup(dir, layout.parent, pid);
    return undefined;
  }
  return {
    throttled: () => nrThrottled(dir),
    release: () => removeGroup(dir, layout.parent, pid),
  };
}

function writeQuotaV1(dir: string, quotaUs: number): void {
  writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
  writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
}

/** cgroup v2 with the cpu controller available to the root's children. */
function v2HasCpu(fsRoot: string): boolean {
  try {
    return /\bcpu\b/.test(readFileSync(join(fsRoot, 'cgroup.subtree_control'), 'utf8'));
  } catch {
    return false;
  }
}

function nrThrottled(dir: string): number {
  try {
    return Number(
      /^nr_throttled (\d+)$/m.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'))?.[1] ?? Number.NaN,
    );
  } catch {
    return Number.NaN;
  }
}

function removeGroup(dir: string, parent: string, pid: number): void {
  try {
    writeFileSync(join(parent, 'cgroup.procs'), String(pid));
  } catch {
    // The process has exited: its group is empty already.
  }
  try {
    rmdirSync(dir);
  } catch {
    // Never made, or a test's plain directory that holds files: nothing more to undo.
  }
}
