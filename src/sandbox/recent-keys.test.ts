import { describe, expect, it } from 'vitest';
import { RecentKeys } from './recent-keys.js';

describe('recent keys (the sandbox once-per-second-per-RoomId memory)', () => {
  it('answers when a key was seen last, within the window only', () => {
    const keys = new RecentKeys(1000);
    expect(keys.see('a', 0)).toBeUndefined();
    expect(keys.see('a', 400)).toBe(0);
    expect(keys.see('b', 900)).toBeUndefined();
    // 'a' was seen at 400, 1,000 ms before: forgotten, as Tencent would allow it again.
    expect(keys.see('a', 1400)).toBeUndefined();
    expect(keys.see('b', 1899)).toBe(900);
  });

  it('a key seen again is kept for a window after its last arrival, not its first', () => {
    const keys = new RecentKeys(1000);
    keys.see('a', 0);
    keys.see('a', 800);
    keys.see('x', 1500);
    expect(keys.see('a', 1700)).toBe(800);
  });

  it('holds one window of keys however many it has seen', () => {
    const keys = new RecentKeys(1000);
    // A million distinct RoomIds at 3,000 a second.
    for (let i = 0; i < 1_000_000; i++) keys.see(`room-${i}`, i / 3);
    expect(keys.size).toBeLessThanOrEqual(3001);
    expect(keys.size).toBeGreaterThanOrEqual(2999);
  });
});
