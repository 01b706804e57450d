/**
 * Storing raw messages, first of all (store-first): one at a time, or a batch in one transaction, deduplicated by
 * Message-ID (or a hash of the bytes). Intake (intake.ts) works on the rows this returns.
 */
import { createHash } from 'node:crypto';
import { UniqueConstraintError } from 'sequelize';
import type { InboundEmail, Models } from '../../db/models.js';
import { transaction as tx } from '../../db/tx.js';
import type { Claims } from './claims.js';
import type { IntakeResult } from './types.js';

/** How much of an over-limit message is kept: enough for any text anyone writes. */
const OVERSIZE_KEEP = 1024 * 1024;
/** Raw bytes per multi-row INSERT of a batch (hex-encoded in the statement, so about twice this on the wire). */
const INSERT_BYTES = 1024 * 1024;
/** A message larger than this is inserted on its own, its bytes bound rather than written into the statement. */
const INLINE_BYTES = 256 * 1024;

/**
 * One message of a batch after storeMany: a row to work on (ours: stored by this batch, born claimed; or one
 * stored before and still 'received'), an earlier message of the same batch with the same key, a final answer,
 * or why it could not be stored.
 */
export type Stored =
  | { row: InboundEmail; ours: boolean }
  | { sameAs: number }
  | { result: IntakeResult }
  | { error: Error };

export interface Keyed {
  raw: Buffer;
  messageId: string | null;
  key: string;
}

/** The Message-ID from the raw header block, without parsing the whole message. */
export function rawMessageId(raw: Buffer): string | null {
  const end = raw.indexOf('\r\n\r\n') >= 0 ? raw.indexOf('\r\n\r\n') : raw.indexOf('\n\n');
  const head = raw
    .subarray(0, end >= 0 ? Math.min(end, 256 * 1024) : Math.min(raw.length, 256 * 1024))
    .toString('latin1');
  const m = /^message-id:[ \t]*(?:\r?\n[ \t]+)?<?([^<>\s]+)>?/im.exec(head);
  return m?.[1] ?? null;
}

/** Dedupe key: the Message-ID (hashed when absurdly long), or a hash of the raw bytes. */
export function dedupeKey(raw: Buffer, messageId: string | null): string {
  if (messageId && messageId.length <= 250) return messageId;
  return (
    'sha256:' +
    createHash('sha256')
      .update(messageId ?? raw)
      .digest('hex')
  );
}

export function createRawStore(deps: { models: Pick<Models, 'InboundEmail'>; maxBytes: number; claims: Claims }) {
  const { InboundEmail } = deps.models;
  const { claims } = deps;

  /** A message as intake keys it, before it is stored. */
  const keyed = (raw: Buffer): Keyed => {
    const messageId = rawMessageId(raw);
    return { raw, messageId, key: dedupeKey(raw, messageId) };
  };

  /**
   * The row a message is stored as: born claimed by us, first attempt counted, so the recovery job cannot take it
   * while we work on it. Over MAIL_MAX_BYTES only the head of the message is kept (the text comes first in
   * practice); the ticket still opens and the sender is told that attachments were dropped.
   */
  const newRow = (m: Keyed, source: InboundEmail['source']) => ({
    dedupeKey: m.key,
    messageId: m.messageId?.slice(0, 255) ?? null,
    source,
    raw: m.raw.length > deps.maxBytes ? m.raw.subarray(0, OVERSIZE_KEEP) : m.raw,
    size: m.raw.length,
    status: 'received' as const,
    reason: null,
    ticketId: null,
    ...claims.fresh(),
  });

  /** What a message already stored comes to: a final answer, or the row when it still waits to be processed. */
  const fromExisting = (existing: InboundEmail): Stored => {
    const { id: inboundId, ticketId, reason } = existing;
    // A quarantined message stays failed, so a mail source moves it to Failed again.
    if (existing.status === 'failed') return { result: { status: 'failed', inboundId, ticketId, reason } };
    if (existing.status !== 'received')
      return { result: { status: 'duplicate', inboundId, ticketId, reason: 'already received' } };
    return { row: existing, ours: false };
  };

  /**
   * Stores one message in a transaction of its own: on SQLite that is a connection of its own, so writing 25 MB
   * does not hold up the reads of /healthz and the console on the shared one (WAL lets them run beside the writer).
   */
  async function storeOne(m: Keyed, source: InboundEmail['source']): Promise<Stored> {
    try {
      const row = await tx(InboundEmail.sequelize!, (transaction) =>
        InboundEmail.create(newRow(m, source), { transaction }),
      );
      return { row, ours: true };
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
      return fromExisting((await InboundEmail.findOne({ where: { dedupeKey: m.key } }))!);
    }
  }

  /**
   * Stores a batch in one transaction: one look-up of the keys already stored, multi-row INSERTs of about a
   * megabyte of raw bytes each (few statements, none near MySQL's max_allowed_packet) and one INSERT per large
   * message, one read of the new ids.
   */
  function storeBatch(batch: Keyed[], source: InboundEmail['source']): Promise<Stored[]> {
    return tx(InboundEmail.sequelize!, async (transaction) => {
      const keys = [...new Set(batch.map((m) => m.key))];
      const found = await InboundEmail.findAll({
        attributes: ['id', 'dedupeKey', 'status', 'ticketId', 'reason', 'attempts'],
        where: { dedupeKey: keys },
        transaction,
      });
      const existing = new Map(found.map((r) => [r.dedupeKey, r]));
      const first = new Map<string, number>();
      const out: Stored[] = [];
      const fresh: number[] = [];
      for (const [i, m] of batch.entries()) {
        const same = first.get(m.key);
        const row = existing.get(m.key);
        if (same !== undefined) out.push({ sameAs: same });
        else if (row) out.push(fromExisting(row));
        else {
          fresh.push(i);
          out.push({ error: new Error('not stored') }); // replaced by its row below
        }
        if (same === undefined) first.set(m.key, i);
      }
      // Small messages go several to a multi-row INSERT, which carries their bytes in the statement, hex-encoded
      // (twice their size); a large one goes alone with its bytes bound as they are, as receive() stores one.
      // In inbox order, so ids are too (the recovery job takes rows by id).
      let chunk: number[] = [];
      let bytes = 0;
      const flush = async () => {
        if (!chunk.length) return;
        const rows = await InboundEmail.bulkCreate(
          chunk.map((i) => newRow(batch[i]!, source)),
          { transaction },
        );
        for (const [j, row] of rows.entries()) out[chunk[j]!] = { row, ours: true };
        chunk = [];
        bytes = 0;
      };
      for (const i of fresh) {
        const size = batch[i]!.raw.length;
        if (size > INLINE_BYTES) {
          await flush();
          out[i] = { row: await InboundEmail.create(newRow(batch[i]!, source), { transaction }), ours: true };
          continue;
        }
        chunk.push(i);
        bytes += size;
        if (bytes >= INSERT_BYTES) await flush();
      }
      await flush();
      if (fresh.length) {
        // The ids as the database assigned them: the drivers compute a multi-row INSERT's ids from the first one,
        // which MySQL's interleaved auto-increment (innodb_autoinc_lock_mode=2) does not promise.
        const ids = await InboundEmail.findAll({
          attributes: ['id', 'dedupeKey'],
          where: { dedupeKey: fresh.map((i) => batch[i]!.key) },
          transaction,
        });
        const idOf = new Map(ids.map((r) => [r.dedupeKey, r.id]));
        for (const i of fresh) {
          const { row } = out[i] as { row: InboundEmail };
          row.set('id', idOf.get(batch[i]!.key)!, { raw: true });
          row.changed('id', false);
        }
      }
      return out;
    });
  }

  return { keyed, storeOne, storeBatch };
}
