/**
 * Real-world mail read as its sender meant it (issue 14, classes 1–5), on messages written here the way the mail
 * clients and gateways named in each case produce them.
 */
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { htmlToNewText } from './html-reply.js';
import { parseEmail } from './parse.js';
import { REPLY_ABOVE_MARKERS, replyAboveMarker, replyAboveMarkerHtml } from '../reply-marker.js';
import { stripReply } from './reply-strip.js';

const crlf = (...parts: (string | Buffer)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p.replace(/\r?\n/g, '\r\n')) : p)));
const head = (extra: string) =>
  `From: Anna Schmidt <anna.schmidt@corp.example>\nTo: IT <it@helpdesk.example>\nDate: Mon, 5 Jan 2026 09:14:00 +0100\nMessage-ID: <m${Math.random().toString(36).slice(2)}@corp.example>\nMIME-Version: 1.0\n${extra}`;

describe('class 1: every inline part of a mixed message is the body, in order', () => {
  it('an Outlook HTML body followed by a gateway plain-text disclaimer keeps both', async () => {
    const p = await parseEmail(
      crlf(
        head('Subject: VPN drops\nContent-Type: multipart/mixed; boundary="mix"\n\n'),
        '--mix\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n',
        '<html><body><p>Since this morning the VPN drops every ten minutes.</p><p>Regards,<br>Anna</p></body></html>\n',
        '--mix\nContent-Type: text/plain; charset=us-ascii\n\n',
        'CONFIDENTIALITY NOTICE: This e-mail is intended only for the addressee.\n',
        '--mix--\n',
      ),
    );
    expect(p.newText).toContain('the VPN drops every ten minutes');
    expect(p.newText).toContain('CONFIDENTIALITY NOTICE');
    expect(p.newText.indexOf('VPN')).toBeLessThan(p.newText.indexOf('CONFIDENTIALITY'));
    expect(p.parts.map((x) => x.contentType)).toEqual(['text/html', 'text/plain']);
    expect(p.html).toContain('VPN drops');
    expect(p.html).toContain('CONFIDENTIALITY NOTICE');
  });

  it('a plain-text body followed by an HTML signature keeps both', async () => {
    const p = await parseEmail(
      crlf(
        head('Subject: Printer\nContent-Type: multipart/mixed; boundary="b1"\n\n'),
        '--b1\nContent-Type: text/plain; charset=utf-8\n\nThe printer on floor 3 jams on every page.\n',
        '--b1\nContent-Type: text/html; charset=utf-8\n\n',
        '<div style="color:#555"><b>Anna Schmidt</b> · Finance · +49 30 1234 567</div>\n',
        '--b1--\n',
      ),
    );
    expect(p.newText).toContain('jams on every page');
    expect(p.newText).toContain('Anna Schmidt');
    expect(p.text).toContain('jams on every page');
  });

  it('an alternative body and a disclaimer part: the body is not lost to the disclaimer', async () => {
    const p = await parseEmail(
      crlf(
        head('Subject: Laptop\nContent-Type: multipart/mixed; boundary="outer"\n\n'),
        '--outer\nContent-Type: multipart/alternative; boundary="alt"\n\n',
        '--alt\nContent-Type: text/plain; charset=utf-8\n\nMy laptop will not boot after the update.\n',
        '--alt\nContent-Type: text/html; charset=utf-8\n\n<p>My laptop will not boot after the update.</p>\n',
        '--alt--\n',
        '--outer\nContent-Type: text/plain\n\nThis message was scanned by MailGuard.\n',
        '--outer--\n',
      ),
    );
    expect(p.newText).toBe('My laptop will not boot after the update.\n\nThis message was scanned by MailGuard.');
    expect(p.parts.map((x) => x.contentType)).toEqual(['text/plain', 'text/plain']);
  });

  it('the quote cut applies to the whole body: a disclaimer below the quoted history goes with it', async () => {
    const p = await parseEmail(
      crlf(
        head('Subject: Re: [IT-1001] VPN\nContent-Type: multipart/mixed; boundary="q"\n\n'),
        '--q\nContent-Type: text/html; charset=utf-8\n\n',
        '<div>Still broken.</div><div class="gmail_quote">On Mon, IT wrote:<blockquote>Please reboot.</blockquote></div>\n',
        '--q\nContent-Type: text/plain\n\nDISCLAIMER: internal use only.\n',
        '--q--\n',
      ),
    );
    expect(p.newText).toBe('Still broken.');
    expect(p.text).toContain('DISCLAIMER');
  });
});

describe('class 2: attachments without a filename are kept, with a name from their type', () => {
  it('names a PDF, a forwarded message, a delivery status and an inline image; two PDFs get distinct names', async () => {
    const p = await parseEmail(
      crlf(
        head('Subject: scans\nContent-Type: multipart/mixed; boundary="s"\n\n'),
        '--s\nContent-Type: text/plain\n\nScans from the copier attached.\n',
        '--s\nContent-Type: application/pdf\nContent-Disposition: attachment\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n',
        '--s\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjUK\n',
        '--s\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n',
        'From: vendor@vendor.example\nSubject: licence\n\nYour licence expires.\n',
        '--s\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.corp.example\n\nFinal-Recipient: rfc822; x@y.example\nAction: failed\n',
        '--s\nContent-Type: image/png\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n',
        '--s--\n',
      ),
    );
    expect(p.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['attachment.pdf', 'application/pdf'],
      ['attachment-2.pdf', 'application/pdf'],
      ['message.eml', 'message/rfc822'],
      ['delivery-status.txt', 'message/delivery-status'],
      ['attachment.png', 'image/png'],
    ]);
    expect(p.attachments[0]!.content.toString('latin1')).toBe('%PDF-1.4\n');
    expect(p.attachments[2]!.content.toString()).toContain('Your licence expires.');
    expect(p.newText).toBe('Scans from the copier attached.');
  });
});

describe('class 3: undeclared or wrong charsets are detected', () => {
  it('a Shift_JIS body and raw 8-bit subject without any charset', async () => {
    const body = 'お世話になっております。三階のプリンターが動きません。至急確認をお願いします。';
    const p = await parseEmail(
      crlf(
        'From: yamada@corp.example\nSubject: ',
        iconv.encode('プリンター故障', 'Shift_JIS'),
        '\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n',
        iconv.encode(body, 'Shift_JIS'),
        '\n',
      ),
    );
    expect(p.subject).toBe('プリンター故障');
    expect(p.newText).toBe(body);
    expect(p.charset).toBe('shift_jis');
    expect(p.parts[0]).toMatchObject({ charset: 'shift_jis', charsetSource: 'detected' });
  });

  it('GB2312 without a declaration, and Windows-1250 labelled UTF-8', async () => {
    const zh = '您好，我的电脑无法连接到公司网络，请帮忙检查一下。谢谢！';
    const gb = await parseEmail(
      crlf('From: zhang@corp.example\nSubject: network\n\n', iconv.encode(zh, 'GB2312'), '\n'),
    );
    expect(gb.newText).toBe(zh);
    expect(gb.charset).toMatch(/^gb/);
    const cz = 'Dobrý den, tiskárna ve třetím patře nefunguje. Děkuji, šéf žádá opravu.';
    const w = await parseEmail(
      crlf(
        'From: novak@corp.example\nSubject: tiskarna\nContent-Type: text/plain; charset=utf-8\n\n',
        iconv.encode(cz, 'windows-1250'),
        '\n',
      ),
    );
    expect(w.newText).toBe(cz);
    expect(w.parts[0]).toMatchObject({ charset: 'windows-1250', charsetSource: 'detected' });
  });

  it('ISO-2022-JP without a declaration, in the subject and the body', async () => {
    const jis = (s: string) => Buffer.from(Encoding.convert(Encoding.stringToCode(s), { to: 'JIS', from: 'UNICODE' }));
    const p = await parseEmail(
      crlf(
        'From: suzuki@corp.example\nSubject: ',
        jis('会議室の無線LAN'),
        '\n\n',
        jis('会議室Bの無線LANが数分ごとに切れます。'),
        '\n',
      ),
    );
    expect(p.subject).toBe('会議室の無線LAN');
    expect(p.newText).toBe('会議室Bの無線LANが数分ごとに切れます。');
    expect(p.charset).toBe('iso-2022-jp');
  });

  it('a declared charset that decodes is kept as declared', async () => {
    const p = await parseEmail(
      crlf(
        'From: a@corp.example\nSubject: x\nContent-Type: text/plain; charset=iso-8859-1\n\n',
        iconv.encode('Grüße aus München', 'latin1'),
      ),
    );
    expect(p.newText).toBe('Grüße aus München');
    expect(p.parts[0]).toMatchObject({ charset: 'iso-8859-1', charsetSource: 'declared' });
  });
});

describe('class 4: junk before the headers', () => {
  it('skips a forwarding gateway line above a valid header block', async () => {
    const p = await parseEmail(
      crlf(
        '---- Original email message ----\n',
        'From: Anna <anna@corp.example>\nTo: it@helpdesk.example\nSubject: Outlook asks for my password\n\n',
        'Outlook keeps asking for my password since Friday.\n',
      ),
    );
    expect(p.from?.address).toBe('anna@corp.example');
    expect(p.subject).toBe('Outlook asks for my password');
    expect(p.newText).toBe('Outlook keeps asking for my password since Friday.');
  });

  it('still refuses text that has no header block after its first line', async () => {
    await expect(parseEmail(Buffer.from('Dear IT,\nmy laptop is broken.\nThanks\n'))).rejects.toThrow(/not an email/);
    await expect(parseEmail(Buffer.from('---- junk ----\nNote: not a header block\n\ntext'))).rejects.toThrow(
      /not an email/,
    );
  });
});

describe('class 5: quoted history other helpdesks cut', () => {
  it('cuts exactly at our reply-above marker, in English and German, text and HTML', () => {
    expect(Object.keys(REPLY_ABOVE_MARKERS)).toEqual(expect.arrayContaining(['en', 'de']));
    expect(replyAboveMarker('de-AT')).toBe(REPLY_ABOVE_MARKERS.de);
    expect(replyAboveMarker('fr')).toBe(REPLY_ABOVE_MARKERS.en);
    const quoted = `Thanks, that fixed it.\n\nOn Mon, 5 Jan 2026 at 09:00, IT Helpdesk <it@helpdesk.example> wrote:\n> ${replyAboveMarker('en')}\n> Your ticket IT-1001 was answered.\n> Restart the VPN client.`;
    expect(stripReply(quoted)).toBe('Thanks, that fixed it.');
    // Outlook quotes without ">" and with its own header lines: the marker still cuts.
    const outlook = `Danke, geht wieder.\n\n${replyAboveMarker('de')}\nIhr Ticket IT-1001 wurde beantwortet.`;
    expect(stripReply(outlook)).toBe('Danke, geht wieder.');
    const html = `<div>Danke, geht wieder.</div><div><br></div><div style="border:none">${replyAboveMarkerHtml('de')}<p>Ihr Ticket IT-1001 wurde beantwortet.</p></div>`;
    expect(htmlToNewText(html)).toBe('Danke, geht wieder.');
  });

  it('cuts other helpdesks\u2019 markers and "Previous Replies" sections', () => {
    expect(
      stripReply(
        'Thanks, fixed.\n\n##- Please type your reply above this line -##\n\nYour request (1001) was updated.',
      ),
    ).toBe('Thanks, fixed.');
    expect(
      stripReply('Works now.\n\n-- Bitte antworten Sie oberhalb dieser Zeile --\nIhr Anliegen wurde aktualisiert.'),
    ).toBe('Works now.');
    expect(stripReply('Thanks, that fixed it.\n\nPrevious Replies\n\nIT Helpdesk (Jan 5):\nPlease restart.')).toBe(
      'Thanks, that fixed it.',
    );
    expect(stripReply('Still broken.\n\n--- Previous replies ---\nIT: Did you restart?')).toBe('Still broken.');
  });

  it("cuts Gmail's HTML signature block", () => {
    const html =
      '<div dir="ltr">The VPN drops every hour.<br clear="all"><br><span class="gmail_signature_prefix">-- </span><br><div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature"><div>Anna Schmidt</div><div>Finance | +49 30 1234</div></div></div>';
    expect(htmlToNewText(html)).toBe('The VPN drops every hour.');
  });

  it('cuts Chinese, Japanese, Korean and other localized "On … wrote:" headers', () => {
    const cases: [string, string][] = [
      ['打印机还是不能用。', '在 2026年1月5日 周一 上午9:00，IT Helpdesk <it@helpdesk.example> 写道：'],
      ['打印机还是不能用。', 'IT Helpdesk <it@helpdesk.example> 于2026年1月5日周一 09:00写道：'],
      ['印表機還是不能用。', '於 2026年1月5日 週一 上午9:00, IT Helpdesk <it@helpdesk.example> 寫道:'],
      ['まだ動きません。', '2026年1月5日(月) 9:00 IT Helpdesk <it@helpdesk.example>:'],
      ['아직 안 됩니다.', '2026년 1월 5일 (월) 오전 9:00, IT Helpdesk <it@helpdesk.example>님이 작성:'],
      ['Vẫn không được.', 'Vào 9:00 Th 2, 5 thg 1, 2026 IT Helpdesk <it@helpdesk.example> đã viết:'],
      ['Masih tidak bisa.', 'Pada tanggal Sen, 5 Jan 2026 pukul 09.00 IT Helpdesk <it@helpdesk.example> menulis:'],
      ['Još ne radi.', 'pon, 5. sij 2026. u 09:00 IT Helpdesk <it@helpdesk.example> napisao je:'],
      ['Tot nu merge.', 'În lun., 5 ian. 2026 la 09:00, IT Helpdesk <it@helpdesk.example> a scris:'],
      ['Vis dar neveikia.', '2026-01-05, pr, 09:00 IT Helpdesk <it@helpdesk.example> rašė:'],
      ['עדיין לא עובד.', 'ב-5 בינו׳ 2026, 9:00, מאת IT Helpdesk <it@helpdesk.example>\u200f:'],
      ['ยังใช้ไม่ได้', 'เมื่อ จ. 5 ม.ค. 2026 เวลา 09:00 IT Helpdesk <it@helpdesk.example> เขียนว่า:'],
    ];
    for (const [reply, attribution] of cases)
      expect(stripReply(`${reply}\n\n${attribution}\n> Please restart.\n> IT`), attribution).toBe(reply);
    const outlookZh =
      '打印机还是不能用。\n\n发件人: IT Helpdesk <it@helpdesk.example>\n发送时间: 2026年1月5日 9:00\n收件人: 张三 <zhang@corp.example>\n主题: [IT-1001] 打印机\n\n请重启打印机。';
    expect(stripReply(outlookZh)).toBe('打印机还是不能用。');
  });

  it('keeps a reply written above a forwarded block, text and Gmail HTML', () => {
    expect(
      stripReply(
        'Can you look at this? Our vendor sent it.\n\n---------- Forwarded message ---------\nFrom: Vendor <v@vendor.example>\nDate: Mon, Jan 5, 2026\nSubject: Licence\nTo: me@corp.example\n\nYour licence expires.',
      ),
    ).toBe('Can you look at this? Our vendor sent it.');
    expect(
      htmlToNewText(
        '<div dir="ltr">Can you look at this?<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <b>Vendor</b> &lt;v@vendor.example&gt;<br></div><br>Your licence expires.</div></div>',
      ),
    ).toBe('Can you look at this?');
  });
});
