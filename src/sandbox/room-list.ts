import { bytes } from './body-checks.js';
import { viewCount } from './room-view.js';
import type { SandboxRoom } from './types.js';

/**
 * get_room_list's order and paging: by ViewCount descending, ties by RoomId (code-unit order) so that the order
 * is total and stable. `Next` is an opaque cursor naming the last room of the previous page by its sort key
 * (base64url of `[ViewCount, RoomId]`), so a page neither repeats nor skips rooms when others are created or
 * destroyed between pages. An empty `Next` asks for the first page, and answers that there is no further page.
 */

type Key = [viewCount: number, roomId: string];

const keyOf = (room: SandboxRoom): Key => [viewCount(room), room.RoomId];

/** Negative when `a` comes first. */
function compareKeys([va, ra]: Key, [vb, rb]: Key): number {
  if (va !== vb) return vb - va;
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

const encodeCursor = (key: Key): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** The key a cursor names, or undefined when it is not a cursor this sandbox made. */
function decodeCursor(next: string): Key | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(next)) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(next, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(key) || key.length !== 2) return undefined;
  const [v, r] = key as unknown[];
  if (typeof v !== 'number' || !Number.isFinite(v) || typeof r !== 'string' || bytes(r) < 1 || bytes(r) > 48)
    return undefined;
  // Only the exact text the sandbox wrote: a cursor with other padding or spacing is not one of its own.
  return encodeCursor([v, r]) === next ? [v, r] : undefined;
}

export type RoomPage = { ok: true; rooms: SandboxRoom[]; next: string } | { ok: false; problem: string };

export function pageOfRooms(rooms: Iterable<SandboxRoom>, next: string, count: number): RoomPage {
  let after: Key | undefined;
  if (next !== '') {
    after = decodeCursor(next);
    if (!after) return { ok: false, problem: 'Next is not a cursor from a previous answer' };
  }
  const start = after;
  const sorted = [...rooms]
    .filter((room) => !start || compareKeys(keyOf(room), start) > 0)
    .sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const page = sorted.slice(0, count);
  const last = page.at(-1);
  return {
    ok: true,
    rooms: page,
    next: sorted.length > count && last ? encodeCursor(keyOf(last)) : '',
  };
}
