/**
 * The MIME tree of a message, from mailsplit (the splitter mailparser itself is built on, hardened against broken
 * boundaries, huge headers and deep nesting), with every leaf's transfer-decoded bytes. Which leaves are the body
 * and which are attachments is decided exactly as mailparser decides it; what we do with them is in body.ts.
 * A single-part message skips the splitter's line-by-line pass over the body: 25 MB of blank lines took it 1.5 s.
 */
import { type MimeNode, Splitter } from '@zone-eu/mailsplit';
import FlowedDecoder from '@zone-eu/mailsplit/lib/flowed-decoder.js';
import type { Transform } from 'node:stream';

/** The splitter's limits (mailparser's defaults): larger header blocks or more parts make the parse fail over. */
const SPLITTER = { maxHeadSize: 1024 * 1024, maxChildNodes: 1000 };

/** mailparser's text types; message/delivery-status stays an attachment (keepDeliveryStatus). */
const TEXT_TYPES = ['text/plain', 'text/html'];

export type LeafKind = 'text' | 'html' | 'attachment';

export interface MimeTree {
  node: MimeNode;
  /** 'alternative', 'mixed', … for multipart nodes; null for leaves and embedded messages. */
  multipart: string | null;
  /** True for a message/rfc822 part parsed as a nested message; its one child is that message's root. */
  embedded: boolean;
  children: MimeTree[];
  /** Leaves only. */
  kind: LeafKind | null;
  /** Leaves only: the transfer-decoded (and format=flowed-unwrapped) bytes. */
  content: Buffer | null;
  /** Content type of every ancestor, nearest first. */
  ancestors: string[];
}

/** Where the header block ends: after the first empty line (CRLF or LF), as the splitter sees it. */
export function headerEnd(raw: Buffer): number {
  if (raw[0] === 0x0a) return 1;
  if (raw[0] === 0x0d && raw[1] === 0x0a) return 2;
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\n\r\n');
  if (lf < 0 && crlf < 0) return raw.length;
  if (crlf < 0 || (lf >= 0 && lf < crlf)) return lf + 2;
  return crlf + 3;
}

/** mailparser's rule: a leaf is body text only when it is text/plain or text/html and shown inline. */
function kindOf(node: MimeNode): LeafKind {
  const type = node.contentType || 'text/plain';
  let disposition = node.disposition || '';
  if (disposition && disposition !== 'attachment' && disposition !== 'inline') disposition = 'attachment';
  if (!TEXT_TYPES.includes(type) || (disposition || 'inline') !== 'inline') return 'attachment';
  return type === 'text/html' ? 'html' : 'text';
}

async function pipeThrough(stream: Transform, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
  for (const c of chunks) stream.write(c);
  stream.end();
  await done;
  return Buffer.concat(out);
}

/** Transfer-decodes a leaf's body (base64, quoted-printable) and unwraps format=flowed text. */
async function decodeLeaf(node: MimeNode, chunks: Buffer[]): Promise<Buffer> {
  const encoding = node.encoding || '';
  let bytes =
    encoding === 'base64' || encoding === 'quoted-printable'
      ? await pipeThrough(node.getDecoder() as Transform, chunks)
      : chunks.length === 1
        ? chunks[0]!
        : Buffer.concat(chunks);
  if (node.flowed) bytes = await pipeThrough(new FlowedDecoder({ delSp: node.delSp }) as unknown as Transform, [bytes]);
  return bytes;
}

/** Splits `raw` into nodes; resolves with the root and each leaf's encoded body chunks. */
function split(raw: Buffer): Promise<{ order: MimeNode[]; bodies: Map<MimeNode, Buffer[]> }> {
  return new Promise((resolve, reject) => {
    // mailsplit's typings narrow on() to 'data'; it is an ordinary Transform stream.
    const splitter = new Splitter(SPLITTER) as unknown as Transform;
    const order: MimeNode[] = [];
    const bodies = new Map<MimeNode, Buffer[]>();
    splitter.on('data', (d: { type: string; node?: MimeNode; value?: Buffer }) => {
      if (d.type === 'node') {
        order.push(d as unknown as MimeNode);
        bodies.set(d as unknown as MimeNode, []);
      } else if (d.type === 'body' && d.node && d.value) bodies.get(d.node)?.push(d.value);
    });
    splitter.once('end', () => resolve({ order, bodies }));
    splitter.once('error', reject);
    splitter.end(raw);
  });
}

/** Parses the MIME structure of `raw`; throws when the splitter refuses it (the caller falls back). */
export async function walkMime(raw: Buffer): Promise<MimeTree> {
  const end = headerEnd(raw);
  const head = await split(raw.subarray(0, end));
  const root0 = head.order[0];
  if (!root0) throw new Error('no MIME root');
  let { order, bodies } = head;
  if (root0.multipart || root0.messageNode) ({ order, bodies } = await split(raw));
  else bodies.set(root0, [raw.subarray(end)]); // single part: the body is everything after the header block

  const trees = new Map<MimeNode, MimeTree>();
  let root: MimeTree | null = null;
  for (const node of order) {
    const parent = node.parentNode ? trees.get(node.parentNode as MimeNode) : undefined;
    const embedded = Boolean(node.messageNode);
    const leaf = !node.multipart && !embedded;
    const t: MimeTree = {
      node,
      multipart: node.multipart || null,
      embedded,
      children: [],
      kind: leaf ? kindOf(node) : null,
      content: leaf ? await decodeLeaf(node, bodies.get(node) ?? []) : null,
      ancestors: parent ? [parent.node.contentType || '', ...parent.ancestors] : [],
    };
    trees.set(node, t);
    if (parent) parent.children.push(t);
    else root ??= t;
  }
  if (!root) throw new Error('no MIME root');
  return root;
}

/** Every leaf of the tree, in document order. */
export function leaves(t: MimeTree): MimeTree[] {
  const out: MimeTree[] = [];
  const stack = [t];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.kind) out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}
