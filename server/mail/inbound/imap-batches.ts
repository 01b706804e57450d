/**
 * How the IMAP reader cuts a backlog into fetches. One message at a time costs a round trip per FETCH, STORE and
 * MOVE, and a MOVE in a large mailbox costs the server more the larger it is; a batch is one of each. Bounded in
 * count and bytes: the batch is held in memory from its FETCH to its MOVE.
 */

export interface BatchLimits {
  maxCount: number;
  maxBytes: number;
}

/** 200 messages or 8 MB: past that a batch saves no measurable time, and memory stays flat on a 25 MB message. */
export const BATCH_LIMITS: BatchLimits = { maxCount: 200, maxBytes: 8 * 1024 * 1024 };

/** Cuts messages, in UID order, into batches within the limits; a message larger than maxBytes is one on its own. */
export function planBatches(msgs: { uid: number; size: number }[], limits: BatchLimits = BATCH_LIMITS): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let bytes = 0;
  for (const { uid, size } of msgs) {
    if (cur.length && (cur.length >= limits.maxCount || bytes + size > limits.maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(uid);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A UID set in IMAP's compact form (RFC 9051 sequence-set): [1, 2, 3, 5, 7, 8] → "1:3,5,7:8". */
export function uidSet(uids: number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
