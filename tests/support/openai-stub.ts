/**
 * A local stand-in for the OpenAI chat-completions API, good enough for the real `openai` SDK (v6):
 * tests script each reply and inspect the requests without any network or key.
 */
import http from 'node:http';
import type net from 'node:net';

export type StubReply =
  | { toolCall: { name: string; arguments: string } }
  | { content: string }
  | { status: number; error?: object }
  | { delayMs: number; then: StubReply };

export interface OpenAIStub {
  /** http://127.0.0.1:PORT/v1, for `new OpenAI({ baseURL, apiKey: 'test', maxRetries: 0 })`. */
  baseURL: string;
  /** Parsed JSON bodies of every chat-completions request, in order. */
  requests: any[];
  /** Decides the reply to each request; until called, every request gets a 500 (so an unscripted call is loud). */
  respondWith(fn: (body: any) => StubReply | Promise<StubReply>): void;
  stop(): Promise<void>;
}

const DEFAULT_REPLY: StubReply = {
  status: 500,
  error: { message: 'openai stub: no reply scripted', type: 'server_error', code: null },
};

export async function startOpenAIStub(): Promise<OpenAIStub> {
  const requests: any[] = [];
  let responder: (body: any) => StubReply | Promise<StubReply> = () => DEFAULT_REPLY;
  let seq = 0;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();

  function send(res: http.ServerResponse, status: number, payload: unknown): void {
    if (res.destroyed || res.headersSent) return; // the client gave up (timeout test) or the stub stopped
    const body = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_stub_${seq}` });
    res.end(body);
  }

  function completion(body: any, message: object, finishReason: string): object {
    return {
      id: `chatcmpl-stub-${seq}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body?.model ?? 'stub-model',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', refusal: null, ...message },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    };
  }

  async function reply(res: http.ServerResponse, body: any, r: StubReply): Promise<void> {
    if ('delayMs' in r) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, r.delayMs);
        timers.add(t);
      });
      return reply(res, body, r.then);
    }
    if ('toolCall' in r) {
      const call = {
        id: `call_stub_${seq}`,
        type: 'function',
        function: { name: r.toolCall.name, arguments: r.toolCall.arguments },
      };
      return send(res, 200, completion(body, { content: null, tool_calls: [call] }, 'tool_calls'));
    }
    if ('content' in r) return send(res, 200, completion(body, { content: r.content }, 'stop'));
    // OpenAI error shape: the SDK reads `error` from the body into APIError.error / .message.
    const error = r.error ?? {
      message: `openai stub: status ${r.status}`,
      type: r.status === 429 ? 'rate_limit_exceeded' : 'server_error',
      code: null,
    };
    return send(res, r.status, { error });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seq++;
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/chat/completions')) {
        return send(res, 404, {
          error: {
            message: `openai stub: no route ${req.method} ${req.url}`,
            type: 'invalid_request_error',
            code: null,
          },
        });
      }
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, 400, {
          error: { message: 'openai stub: body is not JSON', type: 'invalid_request_error', code: null },
        });
      }
      requests.push(body);
      if (body?.stream) {
        return send(res, 400, {
          error: { message: 'openai stub: streaming is not supported', type: 'invalid_request_error', code: null },
        });
      }
      Promise.resolve()
        .then(() => responder(body))
        .then((r) => reply(res, body, r))
        .catch((err: unknown) =>
          send(res, 500, {
            error: { message: `openai stub: responder threw: ${String(err)}`, type: 'server_error', code: null },
          }),
        );
    });
  });
  // Tracked so stop() can cut keep-alive and in-flight (delayed) connections and let the process exit.
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    respondWith(fn) {
      responder = fn;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
