/** Admin: the IT team roster — skills, active flag and role of each person, and adding someone new. */
import { Hono, type Context } from 'hono';
import { ROLES, type AgentInfo, type Agents } from '../agents/agents.js';
import type { Logger } from '../log.js';
import { CATEGORIES } from '../domain/vocabulary.js';
import { identityOf, type ConsoleAuth, type ConsoleIdentity, type Role } from './auth.js';
import { html } from '../http/html.js';
import { csrfField, options, page } from './html.js';
import { requireId } from '../http/ids.js';

const FLASH: Record<string, { kind: 'ok' | 'error'; text: string }> = {
  saved: { kind: 'ok', text: 'Saved.' },
  added: { kind: 'ok', text: 'Added. They can sign in with their email address.' },
  self: { kind: 'error', text: 'You cannot remove your own admin role or deactivate yourself: ask another admin.' },
  invalid: { kind: 'error', text: 'Name, a valid email and a role are required.' },
  taken: { kind: 'error', text: 'Someone already has that email address.' },
};

function agentRow(a: AgentInfo, me: ConsoleIdentity) {
  const skills = CATEGORIES.map(
    (cat) =>
      html`<label class="chip"><input type="checkbox" name="skills" value="${cat}"${a.skills.includes(cat) ? html` checked` : ''}> ${cat}</label>`,
  );
  return html`<tr><td>${a.name}<br><small>${a.email}</small></td><td colspan="3">
    <form method="post" action="/console/admin/agents/${String(a.id)}" class="agent-form">${csrfField(me.csrf)}
      <label>Role <select name="role">${options(ROLES, a.role)}</select></label>
      <label><input type="checkbox" name="active" value="1"${a.active ? html` checked` : ''}> active</label>
      <span class="skills">${skills}</span> <button type="submit">Save</button></form></td></tr>`;
}

/** Agent management routes (mounted under /admin/agents, admin role only). */
export function adminAgentRoutes(d: { auth: ConsoleAuth; agents: Agents; log: Logger }) {
  const app = new Hono();
  const formOf = async (c: Context) => c.req.parseBody({ all: true });
  const list = (v: unknown) => (Array.isArray(v) ? v : v == null ? [] : [v]).map(String);

  app.get('/', async (c) => {
    const me = await identityOf(d.auth, c);
    const agents = await d.agents.people();
    const body = html`<h1>IT team</h1>
      <table class="agents"><thead><tr><th>Person</th><th colspan="3">Role, active, skills</th></tr></thead><tbody>${agents.map((a) => agentRow(a, me))}</tbody></table>
      <h2>Add someone</h2><form method="post" action="/console/admin/agents" class="add-agent">${csrfField(me.csrf)}
        <label>Name <input name="name" required maxlength="200"></label> <label>Email <input type="email" name="email" required maxlength="320"></label>
        <label>Role <select name="role">${options(ROLES, 'agent')}</select></label> <button type="submit">Add</button></form>`;
    return page(c, body, {
      title: 'IT team',
      agent: me.agent,
      csrf: me.csrf,
      flash: FLASH[c.req.query('m') ?? ''] ?? null,
    });
  });

  app.post('/', async (c) => {
    const f = await formOf(c);
    const name = String(f.name ?? '').trim();
    const email = String(f.email ?? '')
      .trim()
      .toLowerCase();
    const role = String(f.role ?? '') as Role;
    if (!name || !/^[^\s@]+@[^\s@]+$/.test(email) || !ROLES.includes(role))
      return c.redirect('/console/admin/agents?m=invalid', 303);
    const a = await d.agents.addPerson({ name: name.slice(0, 200), email, role });
    if (a === 'taken') return c.redirect('/console/admin/agents?m=taken', 303);
    d.log.info({ agentId: a.id, role }, 'agent added in the console');
    return c.redirect('/console/admin/agents?m=added', 303);
  });

  app.post('/:id', async (c) => {
    const me = await identityOf(d.auth, c);
    const a = await d.agents.byId(requireId(c.req.param('id'), 'No such person.'));
    if (a?.kind !== 'human') return c.redirect('/console/admin/agents', 303);
    const f = await formOf(c);
    const role = ROLES.includes(String(f.role) as Role) ? (String(f.role) as Role) : a.role;
    const active = String(f.active ?? '') === '1';
    // An admin locking themselves out would leave nobody able to undo it.
    if (a.id === me.agent.id && (role !== 'admin' || !active)) return c.redirect('/console/admin/agents?m=self', 303);
    const skills = list(f.skills).filter((s) => (CATEGORIES as readonly string[]).includes(s));
    await d.agents.updatePerson(a.id, { role, active, skills });
    d.log.info({ agentId: a.id, role, active, skills, by: me.agent.id }, 'agent updated in the console');
    return c.redirect('/console/admin/agents?m=saved', 303);
  });

  return app;
}
