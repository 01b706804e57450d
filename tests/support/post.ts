/**
 * A raw HTTP request that keeps listening while it uploads. fetch() rejects when the server answers early and closes
 * the connection (a 413 with Connection: close), so a test built on it cannot tell "refused with 413" from "the
 * server fell over". This one records the response the moment its head arrives; a write error after that is the
 * server hanging up on the rest of the upload, a write error before it is a failure.
 */
import http from 'node:http';

export interface RawResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Body bytes written before the response head arrived. */
  sentBeforeResponse: number;
  /** Milliseconds from the start to the response head. */
  ms: number;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  /** The body: bytes, or a generator of chunks streamed with backpressure (chunked unless content-length is set). */
  body?: Buffer | string | Iterable<Buffer>;
  timeoutMs?: number;
}

/** Sends one request; resolves with the response even when the server cut the upload short. */
export function rawRequest(url: string, o: RawRequest = {}): Promise<RawResult> {
  const u = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let sent = 0;
    let responded = false;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(new Error(`${o.method ?? 'POST'} ${u.pathname}: no response (${err.message}) after ${sent} bytes`));
    };
    const req = http.request(
      // A fresh connection per request: a reused keep-alive socket can be closed by the server's idle timeout just
      // as the next request starts, which reads as ECONNRESET though the server is fine.
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: o.method ?? 'POST',
        headers: o.headers,
        agent: false,
      },
      (res) => {
        responded = true;
        const sentBeforeResponse = sent;
        const ms = Date.now() - started;
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          const text = Buffer.concat(parts).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, sentBeforeResponse, ms });
          req.destroy(); // the rest of an upload the server refused is not sent
        });
        res.on('error', fail);
      },
    );
    req.setTimeout(o.timeoutMs ?? 60_000, () => req.destroy(new Error('timeout')));
    // After the head arrived, a broken pipe is the server refusing the rest: not an error of the test.
    req.on('error', (err) => {
      if (!responded) fail(err);
    });
    const body = o.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      if (body !== undefined) sent += Buffer.byteLength(body);
      req.end(body);
      return;
    }
    const it = body[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        if (responded || req.destroyed) return; // the server answered: stop uploading
        const n = it.next();
        if (n.done) return void req.end();
        sent += n.value.length;
        if (!req.write(n.value)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

/** `total` bytes of filler in chunks of `chunk` bytes, generated on the fly (nothing held in memory). */
export function* filler(total: number, chunk = 64 * 1024, byte = 'a'): Generator<Buffer> {
  const block = Buffer.alloc(chunk, byte);
  for (let left = total; left > 0; left -= chunk) yield left >= chunk ? block : block.subarray(0, left);
}
