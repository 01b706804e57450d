/**
 * What a parse worker runs: parseEmail on the bytes it is given. Errors come back as data ({ error }), so the pool
 * can tell "this is not an email" (an answer) from a worker that died or ran out of time or memory (a verdict).
 */
import { isWorkerThread, move, transferableSymbol, valueSymbol } from 'piscina';
import { parseEmail } from './parse.js';
import type { ParsedEmail } from './types.js';

export interface ParseTask {
  raw: Uint8Array;
  maxBytes?: number;
  /** Only answers once the worker is up (the pool waits for it before a budget starts). */
  ping?: boolean;
}

export type ParseResult = { ok: true; mail: ParsedEmail } | { ok: false; error: string };

/**
 * What crosses back to the main thread is capped to what intake keeps (1 MB of full text, 100 KB of new text)
 * and what can be shown (2 MB of HTML; MySQL's MEDIUMTEXT holds 16 MB): copying 25 MB strings back would cost
 * the main thread the time the worker saved it.
 */
const MAX_TEXT = 1_000_000;
const MAX_NEW_TEXT = 100_000;
const MAX_HTML = 2_000_000;

const WARM_UP = Buffer.from(
  'From: a@warm-up.example\r\nSubject: warm-up\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n' +
    '--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n\r\nOn Mon, 1 Jan 2026, IT <it@x.example> wrote:\r\n> hi\r\n' +
    '--b\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<p>Hell\xf6</p><blockquote>hi</blockquote>\r\n--b--\r\n',
  'latin1',
);

export async function parseTask(task: ParseTask): Promise<ParseResult> {
  if (task.ping) {
    // Warm the parser too: the first parse in a fresh worker compiles it all, which is not the next message's time.
    await parseEmail(WARM_UP).catch(() => undefined);
    return { ok: false, error: 'ready' };
  }
  const raw = Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength);
  try {
    const mail = await parseEmail(raw, { maxBytes: task.maxBytes });
    mail.text = mail.text.slice(0, MAX_TEXT);
    mail.newText = mail.newText.slice(0, MAX_NEW_TEXT);
    if (mail.html && mail.html.length > MAX_HTML) mail.html = mail.html.slice(0, MAX_HTML);
    const result: ParseResult = { ok: true, mail };
    return isWorkerThread ? (moveAttachments(result) as ParseResult) : result;
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * Hands the attachments' bytes to the main thread instead of copying them (an 18 MB attachment cloned back cost
 * the main thread tens of ms). Each gets an ArrayBuffer of its own first: a Buffer may be a view into the message.
 */
function moveAttachments(result: { ok: true; mail: ParsedEmail }): unknown {
  const buffers: ArrayBuffer[] = [];
  for (const a of result.mail.attachments) {
    const own = new Uint8Array(new ArrayBuffer(a.content.byteLength));
    own.set(a.content);
    a.content = own as Buffer;
    buffers.push(own.buffer);
  }
  return move({
    get [transferableSymbol]() {
      return buffers;
    },
    get [valueSymbol]() {
      return result;
    },
  } as never);
}
