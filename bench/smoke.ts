/**
 * `npm run bench:smoke` (CI): the whole bench with tiny durations, so that it cannot rot. It asserts that the run
 * completes and writes its table, into a temporary file (bench/RESULTS.md keeps the real numbers), and that it
 * leaves none of its children's output files behind. It asserts no timings: a CI machine's numbers mean nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capCpu } from './cpu-cap.js';
import { root } from './processes.js';

const dir = mkdtempSync(join(tmpdir(), 'roomgate-bench-smoke-'));
const out = join(dir, 'RESULTS.md');
const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
  cwd: root,
  // BENCH_TRACE too, so that the phase tracer (phase-trace.mjs) and its table cannot rot either.
  env: {
    ...process.env,
    BENCH_SECONDS: '1',
    BENCH_KEYS: '20000',
    BENCH_OUT: out,
    BENCH_TRACE: join(dir, 'trace'),
  },
  stdio: 'inherit',
  timeout: 120_000,
});
if (run.status !== 0) {
  process.stderr.write(`bench smoke: the bench exited with ${run.status ?? run.signal}\n`);
  process.exit(1);
}
const text = readFileSync(out, 'utf8');
const expected = [
  '## 1. Added latency',
  '## 2. Capacity',
  '## 3. Overload',
  // Scenario 3's floor, measured in every run.
  '| 201 admitted by the minimal handler shedding (reference) |',
  '## 4. Memory',
  '## Verdicts',
  // The whole run's steal (steal.ts).
  "the hypervisor's steal over the whole run",
];
const missing = expected.filter((heading) => !text.includes(heading));
// The phases inside the fronts (BENCH_TRACE): a number in both fronts' columns needs both traces written.
const bothFronts = /\| in the front, upstream excluded \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/;
const [quota = '', overload = ''] = text.split('## 3. Overload');
if (!bothFronts.test(quota)) missing.push("BENCH_TRACE's phases of both fronts in scenario 1");
// And scenario 3's admitted creates inside the gateway and the floor.
if (!bothFronts.test(overload))
  missing.push("BENCH_TRACE's phases of the gateway and the floor in scenario 3");
// Scenario 2's capped rounds, wherever a cgroup can be written (tried here with this process: a quota of a whole
// core, released at once).
const probe = capCpu(process.pid, 'smoke-probe', 1);
probe?.release();
if (probe && !/roomgate \/ bare proxy = \*\*[\d.]+x\*\*, the minimal handler [\d.]+x\./.test(text)) {
  missing.push("scenario 2's rounds with each front held to half a core");
}
rmSync(dir, { recursive: true, force: true });
if (missing.length > 0) {
  process.stderr.write(`bench smoke: the report lacks ${missing.join(', ')}\n`);
  process.exit(1);
}
// The children's output files (named after the bench's pid) are removed when the bench exits.
const leftBehind = readdirSync(tmpdir()).filter(
  (name) => name.startsWith('roomgate-bench-') && name.includes(`-${run.pid}-`),
);
if (leftBehind.length > 0) {
  process.stderr.write(`bench smoke: the bench left ${leftBehind.join(', ')} in ${tmpdir()}\n`);
  process.exit(1);
}
process.stdout.write(
  'bench smoke: all four scenarios ran, the table was written, and no output file was left\n',
);
