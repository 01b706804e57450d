/**
 * The console's drafted reply without OpenAI (issue 13, item 4; target ≤ 200 ms): a signed-in agent fetches
 * /console/tickets/:ref/draft for pool tickets, each for the first time (nothing cached), on a helpdesk with the
 * demo's six weeks of history (thousands of resolved tickets to find similar ones among). Also the whole page.
 */
import { signInAs } from '../tests/support/console.js';
import { startTestServer } from '../tests/support/server.js';
import { percentile, round, type Figure } from './util.js';

const REQUESTS = [
  "My laptop won't turn on this morning, the power button does nothing and I have a presentation at 2pm.",
  'The VPN keeps disconnecting every few minutes when I work from home, it is really disrupting my calls today.',
  'Teams crashes every time I join a meeting since this morning, I have customer calls all afternoon.',
  'Outlook says my mailbox is full and I cannot send anything, I need to send a quote today.',
  'The printer on the 3rd floor shows offline for the whole team and we need to print contracts before 4pm.',
  'My second screen stays black with no signal since I moved desks, I need both for the month-end report today.',
];

export async function benchDraft(quick: boolean): Promise<Figure[]> {
  const s = await startTestServer({ SEED_DEMO: 'true', WIDGET_RATE_LIMIT: '0' }, { jobs: false });
  try {
    const agent = await signInAs(s, 'kavya.iyer@corp.example');
    const rounds = quick ? 3 : 10;
    const draft: number[] = [];
    const page: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const [i, issue] of REQUESTS.entries()) {
        const t = await (
          await s.api('/api/tickets', {
            method: 'POST',
            json: { name: 'Bench Person', email: `bench${r}.${i}@corp.example`, issue },
          })
        ).json();
        if (t.route === 'ai') continue;
        let t0 = performance.now();
        const html = await (await agent.req(`/console/tickets/${t.ref}`)).text();
        page.push(performance.now() - t0);
        if (!html.includes('data-draft=')) throw new Error(`no draft panel on ${t.ref}`);
        t0 = performance.now();
        const res = await agent.req(`/console/tickets/${t.ref}/draft`);
        const body = await res.text();
        draft.push(performance.now() - t0);
        if (res.status !== 200 || !body.includes('draft-text')) throw new Error(`no draft for ${t.ref}`);
      }
    }
    const tickets = await s.hd.db.models.Ticket.count();
    const med = (x: number[]) => round(percentile(x, 50), 1);
    return [
      {
        name: 'console: drafted reply without OpenAI (median)',
        value: med(draft),
        unit: 'ms',
        target: '≤ 200',
        note:
          `p95 ${round(percentile(draft, 95), 1)} ms over ${draft.length} pool tickets, each drafted once; the page ` +
          `before it ${med(page)} ms (p95 ${round(percentile(page, 95), 1)}); SQLite, ${tickets} tickets of demo history`,
      },
    ];
  } finally {
    await s.stop();
  }
}
