// The import's time-ordered ids: valid UUIDv7 (version and variant bits), ascending across calls, never repeated.
import { orderedUuids } from '../../src/store/ordered-uuids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('ids are UUIDv7, ascending within a batch and from one batch to the next, and distinct', () => {
  // More than 4 096: the counter wraps into the next millisecond.
  const ids = [...orderedUuids(10_000), ...orderedUuids(3), ...orderedUuids(1)];
  expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
  expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
});

test('the time part is the clock, in milliseconds', () => {
  const before = Date.now();
  const [id] = orderedUuids(1);
  const ms = parseInt(id!.replace(/-/g, '').slice(0, 12), 16);
  expect(ms).toBeGreaterThanOrEqual(before);
  // Ahead of the clock by at most a millisecond per started 4 096 ids of each earlier batch (the first test's: 3 + 1 + 1).
  expect(ms).toBeLessThanOrEqual(Date.now() + 5);
});
