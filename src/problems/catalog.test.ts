import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES, TENCENT_CODES, tencentCodeEntry, UNKNOWN_CODE } from './catalog.js';

/** The "Common error codes" table of tencent-live-rest.md, written out here. */
const COMMON_CODES = [
  60002, 60003, 60004, 60005, 60006, 60007, 60008, 60009, 60010, 60011, 60012, 60013, 60014, 60015, 60016,
  60017, 60018, 60019, 60020, 60021, 70001, 70003, 70009, 70013, 70014, 70016, 70020, 70050, 70051, 70107,
  80001,
];

/** Create Room's own codes (create-room-api.txt) and the other room APIs' (destroy_room: 100004, 100006). */
const ROOM_CODES = [100001, 100002, 100003, 100004, 100006, 100007, 100010, 100011, 100012, 100026];

describe('TENCENT_CODES', () => {
  it.each([...COMMON_CODES, ...ROOM_CODES])('has an entry for documented code %d', (code) => {
    const entry = TENCENT_CODES[code];
    expect(entry).toBeDefined();
    expect(entry?.meaning.length).toBeGreaterThan(0);
  });

  it('uses only slugs that PROBLEM_TYPES defines', () => {
    for (const [code, entry] of Object.entries(TENCENT_CODES)) {
      expect(PROBLEM_TYPES, `code ${code}`).toHaveProperty([entry.slug]);
    }
    expect(PROBLEM_TYPES).toHaveProperty([UNKNOWN_CODE.slug]);
  });

  it('maps only to problems about Tencent, never to ones the gateway decides alone', () => {
    const gatewayOnly = [
      'validation-failed',
      'unauthorized',
      'not-found',
      'method-not-allowed',
      'rate-limited',
      'internal-error',
    ];
    for (const entry of Object.values(TENCENT_CODES)) expect(gatewayOnly).not.toContain(entry.slug);
  });

  it('marks the transient codes as retryable on Tencent’s side', () => {
    for (const code of [100001, 100012, 60007, 60011, 60018, 60019])
      expect(TENCENT_CODES[code]?.retryable).toBe(true);
    for (const code of [100002, 100003, 100011, 100026, 70009, 60020])
      expect(TENCENT_CODES[code]?.retryable).toBe(false);
  });

  it('gives operator hints for the wrong-data-center codes', () => {
    expect(TENCENT_CODES[70016]?.operatorHint).toMatch(/TENCENT_REGION/);
    expect(TENCENT_CODES[70020]?.operatorHint).toMatch(/TENCENT_REGION/);
  });
});

describe('tencentCodeEntry', () => {
  it('answers the entry of a known code', () => {
    expect(tencentCodeEntry(100003)).toBe(TENCENT_CODES[100003]);
  });

  it.each([123456, 0, -1, 60001, 99999])('answers the unknown-code entry for %d', (code) => {
    expect(tencentCodeEntry(code)).toEqual({
      slug: 'upstream-failure',
      meaning: expect.any(String),
      retryable: false,
    });
  });
});

describe('PROBLEM_TYPES', () => {
  it('gives each type an HTTP error status, a title and a description', () => {
    for (const [slug, type] of Object.entries(PROBLEM_TYPES)) {
      expect(slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(type.status).toBeGreaterThanOrEqual(400);
      expect(type.status).toBeLessThan(600);
      expect(type.title.length).toBeGreaterThan(0);
      expect(type.description.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ['validation-failed', 400],
    ['invalid-parameters', 400],
    ['unauthorized', 401],
    ['not-found', 404],
    ['method-not-allowed', 405],
    ['room-not-found', 404],
    ['room-id-taken', 409],
    ['room-id-reserved-by-chat', 409],
    ['sensitive-content', 422],
    ['rate-limited', 429],
    ['upstream-rate-limited', 429],
    ['upstream-failure', 502],
    ['upstream-timeout', 504],
  ] as const)('answers %s with status %d', (slug, status) => {
    expect(PROBLEM_TYPES[slug].status).toBe(status);
  });

  it('titles room-id-taken as the contract shows', () => {
    expect(PROBLEM_TYPES['room-id-taken'].title).toBe('Room ID already exists');
  });
});
