/**
 * Attachment downloads for agents. Always `Content-Disposition: attachment`, a content type from a short list
 * of harmless ones (anything else is application/octet-stream), nosniff and a sandboxing CSP: an HTML or SVG
 * attachment from an email must never render as a page on the console's origin.
 */
import type { Context } from 'hono';
import type { AttachmentRow } from '../tickets/reads.js';

const SAFE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'message/rfc822',
]);

/** The type we send for a stored content type. */
export function safeContentType(type: string): string {
  const base = (type.split(';')[0] ?? '').trim().toLowerCase();
  if (!SAFE_TYPES.has(base)) return 'application/octet-stream';
  return base.startsWith('text/') ? `${base}; charset=utf-8` : base;
}

/** RFC 6266 / RFC 5987: an ASCII fallback name plus the exact UTF-8 name. */
export function contentDisposition(filename: string): string {
  const name = filename.replace(/[\r\n"\\/]/g, '_').trim() || 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The download response for one attachment (404 text when its content was dropped, e.g. an oversized email). */
export function attachmentResponse(c: Context, a: AttachmentRow) {
  if (!a.content) return c.text('This attachment was not kept (the email was larger than the helpdesk accepts).', 404);
  c.header('Content-Type', safeContentType(a.contentType));
  c.header('Content-Disposition', contentDisposition(a.filename));
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Security-Policy', "default-src 'none'; sandbox");
  c.header('Cache-Control', 'private, no-store');
  return c.body(new Uint8Array(a.content), 200);
}
