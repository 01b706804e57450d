import { describe, expect, it } from 'vitest';
import { planBatches, uidSet } from './imap-batches.js';

describe('IMAP batches', () => {
  it('packs UIDs into ranges, sorted and without repeats', () => {
    expect(uidSet([5, 1, 2, 3, 3, 7, 8, 10])).toBe('1:3,5,7:8,10');
    expect(uidSet([42])).toBe('42');
  });

  it('cuts by count and by bytes, and a message over the byte limit goes alone', () => {
    const msgs = [1, 2, 3, 4, 5].map((uid) => ({ uid, size: 10 }));
    expect(planBatches(msgs, { maxCount: 2, maxBytes: 1000 })).toEqual([[1, 2], [3, 4], [5]]);
    expect(planBatches(msgs, { maxCount: 10, maxBytes: 25 })).toEqual([[1, 2], [3, 4], [5]]);
    const big = [
      { uid: 1, size: 10 },
      { uid: 2, size: 500 },
      { uid: 3, size: 10 },
    ];
    expect(planBatches(big, { maxCount: 10, maxBytes: 100 })).toEqual([[1], [2], [3]]);
    expect(planBatches([], { maxCount: 10, maxBytes: 100 })).toEqual([]);
  });
});
