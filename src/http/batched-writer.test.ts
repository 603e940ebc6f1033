import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchedWriter, type BatchedWriterOptions } from './batched-writer.js';

/** A file descriptor that records what reaches it, one entry per write(2). */
function recorder(
  behave: (call: number, buffer: Buffer, offset: number) => number | Error = (_c, b, o) => b.length - o,
) {
  const writes: string[] = [];
  let calls = 0;
  const writeSync = (_fd: number, buffer: Buffer, offset: number) => {
    const outcome = behave(calls++, buffer, offset);
    if (outcome instanceof Error) throw outcome;
    writes.push(buffer.subarray(offset, offset + outcome).toString('latin1'));
    return outcome;
  };
  const text = () => Buffer.from(writes.join(''), 'latin1').toString('utf8');
  return { writes, writeSync, text };
}

const open: BatchedWriter[] = [];
function writer(opts: Partial<BatchedWriterOptions> & Pick<BatchedWriterOptions, 'writeSync'>) {
  const w = new BatchedWriter({ fd: 99, minLength: 64, flushMs: 60_000, ...opts });
  open.push(w);
  return w;
}
afterEach(() => {
  for (const w of open.splice(0)) w.end();
});

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('batched log writer', () => {
  it('writes nothing until a batch is full, then the whole batch in one write, in order', () => {
    const fd = recorder();
    const w = writer({ writeSync: fd.writeSync });
    w.write('{"n":1}\n');
    w.write('{"n":2}\n');
    expect(fd.writes).toEqual([]);
    for (let n = 3; n <= 8; n++) w.write(`{"n":${n}}\n`);
    expect(fd.writes).toHaveLength(1);
    expect(fd.text()).toBe([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `{"n":${n}}\n`).join(''));
  });

  it('writes a lone line within its flush interval, and what is left when ended', async () => {
    const fd = recorder();
    const w = writer({ writeSync: fd.writeSync, flushMs: 20 });
    w.write('quiet\n');
    await delay(80);
    expect(fd.text()).toBe('quiet\n');
    w.write('last\n');
    w.end();
    expect(fd.text()).toBe('quiet\nlast\n');
  });

  it("writes what is pending when pino's logger.flush() asks, then calls back", () => {
    const fd = recorder();
    const w = writer({ writeSync: fd.writeSync });
    w.write('pending\n');
    let calledBack = false;
    w.flush(() => {
      calledBack = fd.text() === 'pending\n';
    });
    expect(calledBack).toBe(true);
  });

  it('finishes partial writes, even in the middle of a multi-byte character', () => {
    const fd = recorder((_call, buffer, offset) => Math.min(5, buffer.length - offset));
    const w = writer({ writeSync: fd.writeSync });
    const line = '{"roomName":"直播间 🎤 live"}\n';
    w.write(line);
    w.write(line);
    w.flushSync();
    expect(fd.writes.length).toBeGreaterThan(5);
    expect(fd.text()).toBe(line + line);
  });

  it('waits out a full pipe (EAGAIN) and loses nothing', () => {
    const fd = recorder((call, buffer, offset) => (call < 3 ? errno('EAGAIN') : buffer.length - offset));
    const w = writer({ writeSync: fd.writeSync });
    w.write('a\n');
    w.flushSync();
    expect(fd.text()).toBe('a\n');
  });

  it('keeps serving when the descriptor is gone: says so once, never throws', () => {
    const told: string[] = [];
    const w = writer({
      writeSync: () => {
        throw errno('EPIPE');
      },
      onWriteError: (err) => told.push(err.message),
    });
    for (let i = 0; i < 100; i++) expect(w.write(`line ${i}\n`)).toBe(true);
    w.flushSync();
    expect(told).toEqual(['EPIPE']);
  });
});
