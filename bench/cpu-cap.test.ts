import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { capCpu } from './cpu-cap.js';

// A directory standing in for /sys/fs/cgroup: the files the kernel would show, as plain files.
let root: string;
const fakeRoot = () => {
  root = mkdtempSync(join(tmpdir(), 'cpu-cap-'));
  return root;
};
afterEach(() => rmSync(root, { recursive: true, force: true }));
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');

describe('capCpu', () => {
  it('under cgroup v1 writes the period, the quota and the process into a group of its own', () => {
    mkdirSync(join(fakeRoot(), 'cpu'));
    writeFileSync(join(root, 'cpu', 'cpu.cfs_quota_us'), '-1');
    const cap = capCpu(4321, 'front0', 0.5, root);
    expect(cap).toBeDefined();
    const group = ['cpu', `roomgate-bench-front0-${process.pid}`];
    expect(read(...group, 'cpu.cfs_period_us')).toBe('10000');
    expect(read(...group, 'cpu.cfs_quota_us')).toBe('5000');
    expect(read(...group, 'cgroup.procs')).toBe('4321');
    writeFileSync(join(root, ...group, 'cpu.stat'), 'nr_periods 120\nnr_throttled 37\nthrottled_time 9\n');
    expect(cap?.throttled()).toBe(37);
    cap?.release();
    // Released: the process is written back to the root group.
    expect(read('cpu', 'cgroup.procs')).toBe('4321');
  });

  it('under cgroup v2 writes cpu.max, quota and period in one line', () => {
    writeFileSync(join(fakeRoot(), 'cgroup.subtree_control'), 'cpuset cpu io memory pids\n');
    const cap = capCpu(99, 'x', 1.5, root);
    expect(read(`roomgate-bench-x-${process.pid}`, 'cpu.max')).toBe('15000 10000');
    expect(read(`roomgate-bench-x-${process.pid}`, 'cgroup.procs')).toBe('99');
    cap?.release();
  });

  it('answers undefined where no cpu controller can be used (v2 without cpu for the children, or nothing)', () => {
    writeFileSync(join(fakeRoot(), 'cgroup.subtree_control'), 'cpuset io memory pids\n');
    expect(capCpu(99, 'x', 0.5, root)).toBeUndefined();
    rmSync(join(root, 'cgroup.subtree_control'));
    expect(capCpu(99, 'x', 0.5, root)).toBeUndefined();
  });

  it('reads an unknown throttle count as NaN, not as 0', () => {
    writeFileSync(join(fakeRoot(), 'cgroup.subtree_control'), 'cpu\n');
    expect(capCpu(7, 'y', 0.5, root)?.throttled()).toBeNaN();
  });
});
