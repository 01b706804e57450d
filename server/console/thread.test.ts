import { describe, it, expect } from 'vitest';
import { resolveCid, sanitizeEmailHtml } from './thread.js';

describe('inline images in email HTML', () => {
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  it('resolves cid: images to data: URIs that survive sanitizing; remote and SVG images do not', () => {
    const html =
      '<p>See <img src="cid:shot1@mail"> and <img src="cid:evil"> and <img src="https://tracker.example/p.gif"></p>';
    const out = sanitizeEmailHtml(
      resolveCid(html, [
        { contentId: '<shot1@mail>', contentType: 'image/png', content: png },
        { contentId: 'evil', contentType: 'image/svg+xml', content: Buffer.from('<svg onload="alert(1)"/>') },
      ]),
    );
    expect(out).toContain(`src="data:image/png;base64,${png.toString('base64')}"`);
    expect(out).not.toContain('svg');
    expect(out).not.toContain('tracker.example');
    expect(out).not.toContain('cid:');
  });
});
