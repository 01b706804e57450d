/**
 * Issue 13, items 3 and 4 over HTTP: the console says why the AI answered, suggested or did neither, and drafts a
 * reply for every ticket a person handles — also without script (the page renders it, and fills the reply box on
 * request) — while AI-answered tickets get none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs, type ConsoleClient } from './support/console.js';
import { startTestServer, type TestServer } from './support/server.js';

const decode = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('why the AI answered, and drafted replies (console, HTTP)', () => {
  let s: TestServer;
  let agent: ConsoleClient;
  beforeAll(async () => {
    s = await startTestServer({ WIDGET_RATE_LIMIT: '0' }, { jobs: false });
    agent = await signInAs(s, 'kavya.iyer@corp.example');
  });
  afterAll(async () => s?.stop());
  const create = async (issue: string) =>
    (
      await s.api('/api/tickets', { method: 'POST', json: { name: 'Sam Ortiz', email: 'sam@corp.example', issue } })
    ).json();
  const page = async (path: string) => (await agent.req(path)).text();

  it('shows the evidence for an answer, a refusal and a critical incident, in words', async () => {
    const answered = await create('How do I set up an automatic out of office reply in Outlook?');
    expect(answered.route).toBe('ai');
    let html = await page(`/console/tickets/${answered.ref}`);
    expect(html).toContain('Why the AI answered');
    expect(html).toContain('Answered by the AI agent');
    expect(html).toContain('out-of-office-setup (strength');
    expect(html).not.toContain('data-draft='); // the AI agent has it: no draft for people

    const refused = await create('Where can I find the menu of the canteen for next week?');
    html = await page(`/console/tickets/${refused.ref}`);
    expect(html).toContain('Why the AI did not answer');
    expect(html).toContain('No automatic answer, no article');
    expect(decode(html)).toContain(
      "the request reads like one for another department (facilities, HR, finance, travel), not IT's",
    );
    // The decisive check is marked; the ones after it were not needed.
    expect(html).toMatch(/<tr class="fail decisive"><td>✗<span class="sr"> failed<\/span><\/td><td>An IT request/);

    const critical = await create(
      'All files on the S: drive have a .locked extension and there is a ransom note asking for bitcoin!',
    );
    html = decode(await page(`/console/tickets/${critical.ref}`));
    expect(html).toMatch(/critical incident \(ransomware\): a person handles it, no automatic answer or article/);
  });

  it('drafts a reply without script: shown in the page, and put into the reply box on request', async () => {
    const t = await create(
      "My laptop won't turn on this morning, the power button does nothing and I have a presentation at 2pm.",
    );
    expect(t.route).not.toBe('ai');
    const lazy = await page(`/console/tickets/${t.ref}`);
    expect(lazy).toContain(`data-draft="/console/tickets/${t.ref}/draft"`);
    expect(lazy).toContain(`href="/console/tickets/${t.ref}?draft=show#draft"`);
    expect(lazy).toMatch(/<textarea id="reply" name="text" rows="5" required><\/textarea>/);

    const shown = decode(await page(`/console/tickets/${t.ref}?draft=show`));
    expect(shown).not.toContain('data-draft=');
    expect(shown).toContain('Hi Sam,');
    expect(shown).toContain("This looks like “Laptop won't turn on / black screen / not booting”");
    expect(shown).toMatch(/<textarea id="reply" name="text" rows="5" required><\/textarea>/);

    const inserted = decode(await page(`/console/tickets/${t.ref}?draft=insert`));
    const reply = /<textarea id="reply" name="text" rows="5" required>([\s\S]*?)<\/textarea>/.exec(inserted)![1]!;
    expect(reply).toMatch(/^Hi Sam,\n\nThis looks like/);
    expect(reply).toMatch(/Best regards,\nKavya Iyer$/);
    // Nothing was sent by drafting or inserting.
    expect(await s.hd.db.models.OutboxMail.count({ where: { ticketId: t.id, kind: 'agent_reply' } })).toBe(0);

    // The script's fragment is the same draft, escaped by the one renderer.
    const fragment = await agent.req(`/console/tickets/${t.ref}/draft`);
    expect(fragment.status).toBe(200);
    expect(fragment.headers.get('cache-control')).toBe('no-store');
    expect(decode(await fragment.text())).toContain(reply);
  });

  it('drafts nothing for AI-answered tickets, and a holding reply when nothing in the KB fits', async () => {
    const ai = await create('How do I set up an automatic out of office reply in Outlook?');
    expect((await agent.req(`/console/tickets/${ai.ref}/draft`)).status).toBe(404);
    const odd = await create('The coffee machine on the 4th floor makes a strange grinding noise <script>x</script>');
    const html = await (await agent.req(`/console/tickets/${odd.ref}/draft`)).text();
    expect(html).toContain('I am looking into it and will get back to you');
    expect(html).toContain('Nothing in the knowledge base fits');
    expect(html).not.toContain('<script>');
    // Signed out: no draft.
    expect((await s.api(`/console/tickets/${odd.ref}/draft`)).status).not.toBe(200);
  });
});
