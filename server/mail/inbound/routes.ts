/** POST /api/inbound/email: raw MIME from mail servers that pipe or forward (admin token); the same intake path. */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../errors.js';
import { requireAdmin } from '../../http/auth.js';
import type { Intake } from './intake.js';

/**
 * The request body as one Buffer, read chunk by chunk as it arrives. arrayBuffer() gathers a 25 MB body in one
 * step and then copies it twice (~100 ms in one go, during which /healthz and every other request wait).
 */
async function readBody(req: Request): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      size += chunk.byteLength;
    }
  }
  return Buffer.concat(chunks, size);
}

export function inboundRoutes(deps: { intake: Intake; adminToken?: string; maxBytes: number }) {
  const app = new Hono();
  app.post(
    '/email',
    requireAdmin(deps.adminToken),
    // Oversized mail is still accepted up to twice the limit, so the sender can be told (attachments dropped).
    bodyLimit({
      maxSize: deps.maxBytes * 2,
      onError: () => {
        throw new AppError('payload_too_large', 'The email is too large to accept.');
      },
    }),
    async (c) => {
      const raw = await readBody(c.req.raw);
      if (!raw.length)
        throw new AppError('validation_failed', 'The body must be a raw RFC 5322 message.', {
          fields: { body: 'empty' },
        });
      const r = await deps.intake.receive(raw, 'webhook');
      const status = r.status === 'failed' ? 422 : r.status === 'duplicate' ? 200 : 202;
      return c.json(
        {
          status: r.status,
          inboundId: r.inboundId,
          ticketId: r.ticketId ?? null,
          ref: r.ref ?? null,
          reason: r.reason ?? null,
        },
        status,
      );
    },
  );
  return app;
}
