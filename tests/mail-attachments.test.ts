/**
 * Attachments without a filename (issue 14 class 2) through intake: stored under the name derived from their
 * type, listed on the ticket like the others, and served for download under that name.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentResponse } from '../server/console/attachments.js';
import { startTestServer, type TestServer } from './support/server.js';

const raw = [
  'From: Scanner <scanner@corp.example>',
  'To: it@helpdesk.localhost',
  'Subject: scan from the copier on floor 2',
  'Message-ID: <scan-1@corp.example>',
  'Content-Type: multipart/mixed; boundary="s"',
  '',
  '--s',
  'Content-Type: text/plain',
  '',
  'The copier on floor 2 sends blank pages; two scans attached.',
  '--s',
  'Content-Type: application/pdf',
  'Content-Disposition: attachment',
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0xLjQKJcfsj6IK',
  '--s',
  'Content-Type: message/rfc822',
  'Content-Disposition: attachment',
  '',
  'From: copier@corp.example',
  'Subject: scan log',
  '',
  'Job 42: 2 pages, 0 bytes of image data.',
  '--s',
  'Content-Type: application/pdf; name="named.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0xLjUK',
  '--s--',
  '',
].join('\r\n');

describe('unnamed attachments through intake', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({}, { jobs: false });
  });
  afterAll(async () => s?.stop());

  it('are stored with a name from their type, listed on the ticket and downloadable under it', async () => {
    const res = await s.api('/api/inbound/email', { method: 'POST', admin: true, body: raw });
    const body = await res.json();
    expect(body.status).toBe('created');
    const detail = await (await s.api(`/api/tickets/${body.ref}`, { admin: true })).json();
    const listed = detail.messages.flatMap((m: { attachments: { filename: string }[] }) => m.attachments);
    expect(listed.map((a: { filename: string; contentType: string }) => [a.filename, a.contentType])).toEqual([
      ['attachment.pdf', 'application/pdf'],
      ['message.eml', 'message/rfc822'],
      ['named.pdf', 'application/pdf'],
    ]);
    // The console's download handler, on the stored row.
    const row = (await s.hd.db.models.Attachment.findOne({ where: { filename: 'attachment.pdf' } }))!;
    const app = new Hono().get('/a', (c) => attachmentResponse(c, row));
    const dl = await app.request('/a');
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toContain('filename="attachment.pdf"');
    expect(Buffer.from(await dl.arrayBuffer()).toString('latin1')).toMatch(/^%PDF-1\.4/);
    const eml = (await s.hd.db.models.Attachment.findOne({ where: { filename: 'message.eml' } }))!;
    expect(eml.content!.toString()).toContain('Job 42: 2 pages');
  });
});
