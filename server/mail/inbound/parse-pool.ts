/**
 * Parsing off the main thread, with a time budget. Every parsing step is linear, but a 25 MB message still costs
 * hundreds of milliseconds of CPU, and an input nobody thought of must not stall /healthz, the console and every
 * other request: parseEmail runs in a piscina worker pool, and a parse still running after its budget has its
 * worker terminated (V8 stops the thread even inside a regex) and the message is quarantined by intake.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ParseResult, ParseTask } from './parse-task.js';
import { parseTask } from './parse-task.js';
import type { ParsedEmail } from './types.js';

/** Per-message parse budget. A 25 MB hostile message parses in under 2 s (linear.test.ts); 10 s leaves room for a
 * busy machine and a worker that has to start first, and still bounds what one message can take. */
export const PARSE_BUDGET_MS = 10_000;
/** Heap of one worker: a 25 MB message with attachments needs a few hundred MB; more is a hostile message. */
const WORKER_HEAP_MB = 1024;

/** Why a message could not be parsed in a worker: it took too long or too much memory. Intake quarantines it. */
export class ParseQuarantine extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'memory',
  ) {
    super(message);
    this.name = 'ParseQuarantine';
  }
}

export interface MailParser {
  /** Parses raw bytes; rejects with "not an email: …" like parseEmail, or with ParseQuarantine. */
  parse(raw: Buffer, opts?: { maxBytes?: number; budgetMs?: number }): Promise<ParsedEmail>;
  close(): Promise<void>;
}

/** structuredClone turns Buffers into Uint8Arrays; intake stores Buffers. */
function revive(mail: ParsedEmail): ParsedEmail {
  for (const a of mail.attachments) {
    const c = a.content as Uint8Array;
    if (!Buffer.isBuffer(c)) a.content = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  }
  return mail;
}

/** A pool of parse workers; tasks wait for a free worker before their budget starts. */
export function createParsePool(opts: { threads?: number; budgetMs?: number } = {}): MailParser {
  // Two cores are the norm here: one worker leaves the main thread a core; more cores, more workers (max 4).
  const threads = opts.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  const pool = new Piscina<ParseTask, ParseResult>({
    filename: new URL('./parse-worker.mjs', import.meta.url).href,
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  // A worker takes a moment to start (more on a busy machine): that time is not the message's. The pool waits for
  // a ready worker at start and after every worker it had to stop.
  const ping = () => pool.run({ raw: new Uint8Array(0), ping: true }).catch(() => undefined);
  let ready = ping();
  // Our own queue: the budget of a message starts when a worker takes it, not while it waits behind another.
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    if (running >= threads) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };

  return {
    async parse(raw, o = {}) {
      const budgetMs = o.budgetMs ?? opts.budgetMs ?? PARSE_BUDGET_MS;
      await slot();
      let result: ParseResult;
      try {
        await ready;
        // The worker gets a copy it owns, transferred (one memcpy; cloning costs the main thread more). The caller's
        // Buffer stays intact.
        const copy = new Uint8Array(new ArrayBuffer(raw.byteLength));
        copy.set(raw);
        result = await pool.run(
          { raw: copy, maxBytes: o.maxBytes },
          { signal: AbortSignal.timeout(budgetMs), transferList: [copy.buffer] },
        );
      } catch (err) {
        const e = err as Error & { code?: string };
        if (e.name === 'AbortError' || e.name === 'TimeoutError') {
          ready = ping(); // piscina replaces the worker it stopped
          throw new ParseQuarantine(`parsing took longer than its ${budgetMs / 1000} s budget`, 'timeout');
        }
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          ready = ping();
          throw new ParseQuarantine(`parsing needed more than ${WORKER_HEAP_MB} MB of memory`, 'memory');
        }
        // The worker could not run at all (it failed to start): parse here rather than lose mail over it.
        result = await parseTask({ raw, maxBytes: o.maxBytes });
      } finally {
        release();
      }
      if (!result.ok) throw new Error(result.error);
      return revive(result.mail);
    },
    close: () => pool.destroy(),
  };
}

let shared: MailParser | null = null;

/** The process's parse pool, started on first use; idle workers do not keep the process alive. */
export function sharedParsePool(): MailParser {
  shared ??= createParsePool();
  return shared;
}
