/**
 * Attachments from the MIME tree: every leaf that is not body text, named or not. A part without a filename
 * (a PDF a scanner sends, a forwarded message/rfc822, a bounce's delivery-status) gets a name from its type so it
 * is listed and downloadable like the others; mailparser left such parts nameless and they vanished downstream.
 */
import libmime from 'libmime';
import { leaves, type MimeTree } from './mime-walk.js';
import type { ParsedAttachment } from './types.js';
import { unbracket } from './unbracket.js';

// Types whose parts are never named by the sender, and the names people expect for them.
const NAMES: Record<string, string> = {
  'message/rfc822': 'message.eml',
  'message/global': 'message.eml',
  'message/delivery-status': 'delivery-status.txt',
  'message/global-delivery-status': 'delivery-status.txt',
  'message/disposition-notification': 'disposition-notification.txt',
  'message/feedback-report': 'feedback-report.txt',
  'text/rfc822-headers': 'headers.txt',
  'text/calendar': 'invite.ics',
  'application/ms-tnef': 'winmail.dat',
  'application/vnd.ms-tnef': 'winmail.dat',
};

/** A name for an unnamed part of `type`, unique within the message (attachment.pdf, attachment-2.pdf, …). */
function derivedName(type: string, used: Map<string, number>): string {
  const base = NAMES[type] ?? `attachment.${libmime.detectExtension(type) || 'bin'}`;
  const n = (used.get(base) ?? 0) + 1;
  used.set(base, n);
  if (n === 1) return base;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? `${base.slice(0, dot)}-${n}${base.slice(dot)}` : `${base}-${n}`;
}

/** Every attachment leaf of the tree, in order. */
export function attachmentsOf(tree: MimeTree): ParsedAttachment[] {
  const used = new Map<string, number>();
  const out: ParsedAttachment[] = [];
  for (const leaf of leaves(tree)) {
    if (leaf.kind !== 'attachment') continue;
    const node = leaf.node;
    const filename = typeof node.filename === 'string' && node.filename.trim() ? node.filename.trim() : null;
    let contentType = node.contentType || 'application/octet-stream';
    // Clients label every file application/octet-stream; the name says what it is (as mailparser does).
    if (contentType === 'application/octet-stream' && filename)
      contentType = libmime.detectMimeType(filename) || contentType;
    const cid = unbracket(node.headers ? node.headers.getFirst('content-id') : null);
    const related = Boolean(cid) && leaf.ancestors.includes('multipart/related');
    const content = leaf.content ?? Buffer.alloc(0);
    out.push({
      filename: filename ?? derivedName(contentType, used),
      contentType,
      size: content.length,
      contentId: cid,
      // Images referenced from the HTML by cid: (multipart/related) are part of the body, not downloads.
      inline: related || (node.disposition === 'inline' && Boolean(cid)),
      content,
    });
  }
  return out;
}
