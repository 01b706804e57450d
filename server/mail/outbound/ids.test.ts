/** Our Message-IDs and reply addresses carry the ticket id under an HMAC tag: forging or altering one fails. */
import { beforeAll, describe, it, expect } from 'vitest';
import { createLinkSigner } from '../../http/signed-links.js';
import { createMailIds, splitAddress, type MailIds } from './ids.js';

let ids: MailIds;
let other: MailIds;

describe('mail ids', () => {
  // Made before the tests, not at import: a fault in making them fails the tests instead of the file's import.
  beforeAll(() => {
    ids = createMailIds(createLinkSigner('secret-one-0123456789'), 'IT Helpdesk <it@help.example>');
    other = createMailIds(createLinkSigner('secret-two-0123456789'), 'it@help.example');
  });

  it('splits the sender address', () => {
    expect(splitAddress('IT Helpdesk <it@help.example>')).toEqual(['it', 'help.example']);
    expect(splitAddress('it@help.example')).toEqual(['it', 'help.example']);
    expect(splitAddress('nobody')).toEqual(['nobody', 'helpdesk.localhost']);
    expect(ids.domain).toBe('help.example');
  });

  it('reads back the ticket from its own Message-ID, with or without brackets', () => {
    const id = ids.messageId(42);
    expect(id).toMatch(/^hd\.t42\.[0-9a-f]{12}\.[a-z0-9]{10}@help\.example$/);
    expect(ids.ticketFromMessageId(id)).toBe(42);
    expect(ids.ticketFromMessageId(`<${id}>`)).toBe(42);
    expect(ids.messageId(42)).not.toBe(id);
  });

  it('refuses ids it did not make: another secret, another ticket, a changed nonce or tag, no ticket', () => {
    const id = ids.messageId(42);
    expect(other.ticketFromMessageId(id)).toBeNull();
    expect(ids.ticketFromMessageId(id.replace('hd.t42.', 'hd.t43.'))).toBeNull();
    const [, nonce] = /^hd\.t42\.([0-9a-f]+)\./.exec(id)!;
    expect(
      ids.ticketFromMessageId(
        id.replace(
          nonce!,
          nonce!.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        ),
      ),
    ).toBeNull();
    expect(ids.ticketFromMessageId(id.replace(/\.[a-z0-9]+@/, '.aaaaaaaaaa@'))).toBeNull();
    expect(ids.ticketFromMessageId(ids.messageId(null))).toBeNull();
    expect(ids.messageId(null)).toMatch(/^hd\.n\.[0-9a-f]{12}@help\.example$/);
    for (const junk of [null, undefined, '', 'hd.t42@help.example', 'x@y'])
      expect(ids.ticketFromMessageId(junk)).toBeNull();
  });

  it('makes plus-addressed reply addresses only it can read back', () => {
    const addr = ids.replyAddress(7);
    expect(addr).toMatch(/^it\+t7-[a-z0-9]{8}@help\.example$/);
    expect(ids.ticketFromAddress(addr)).toBe(7);
    expect(ids.ticketFromAddress(addr.toUpperCase())).toBe(7);
    expect(ids.ticketFromAddress(addr.replace('+t7-', '+t8-'))).toBeNull();
    expect(other.ticketFromAddress(addr)).toBeNull();
    expect(ids.ticketFromAddress('it@help.example')).toBeNull();
  });

  it('reads only whole ids and addresses: nothing before them, every digit of the ticket', () => {
    const id = ids.messageId(4217);
    expect(ids.ticketFromMessageId(id)).toBe(4217);
    expect(ids.ticketFromMessageId(`x${id}`)).toBeNull();
    expect(ids.ticketFromMessageId(`<x${id}>`)).toBeNull();
    expect(ids.nonceOf(id)).toBe(/^hd\.t4217\.([0-9a-f]{12})\./.exec(id)![1]);
    expect(ids.nonceOf(`x${id}`)).toBeNull();
    expect(ids.nonceOf(ids.messageId(null))).toBeNull();
    expect(ids.messageIdFor(4217, ids.nonceOf(id)!)).toBe(id);
    const addr = ids.replyAddress(4217);
    expect(ids.ticketFromAddress(addr)).toBe(4217);
    expect(ids.ticketFromAddress(`x+${addr}`)).toBeNull();
  });

  it('takes the sender address from a display name, trimmed, and the last @ as the domain split', () => {
    expect(splitAddress('  it@help.example  ')).toEqual(['it', 'help.example']);
    expect(splitAddress('@help.example')).toEqual(['@help.example', 'helpdesk.localhost']);
    expect(splitAddress('a@b@help.example')).toEqual(['a@b', 'help.example']);
    expect(createMailIds(createLinkSigner('secret-one-0123456789'), 'nobody').replyAddress(1)).toMatch(
      /^nobody\+t1-[a-z0-9]{8}@helpdesk\.localhost$/,
    );
  });
});
