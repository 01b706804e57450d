/** A browser-ish HTTP client for console tests: keeps cookies, never follows redirects, signs in by magic link. */
import type { TestServer } from './server.js';

export type ConsoleClient = ReturnType<typeof consoleClient>;

export function consoleClient(base: string) {
  const jar = new Map<string, string>();
  async function req(path: string, init: RequestInit & { form?: Record<string, string> } = {}) {
    const headers = new Headers(init.headers);
    headers.set('accept', headers.get('accept') ?? 'text/html');
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const r = await fetch(base + path, { ...init, headers, body, redirect: 'manual' });
    for (const sc of r.headers.getSetCookie()) {
      const pair = sc.split(';')[0]!;
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (!value || /max-age=0/i.test(sc)) jar.delete(pair.slice(0, i));
      else jar.set(pair.slice(0, i), value);
    }
    return r;
  }
  return { req };
}

/** The CSRF token in a console page's forms. */
export const csrfIn = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

/** Signs in as `email` through the magic link in the outbox; returns a client holding the session. */
export async function signIn(s: TestServer, email: string): Promise<ConsoleClient> {
  const b = consoleClient(s.url);
  const form = await (await b.req('/console/login')).text();
  await b.req('/console/login', { method: 'POST', form: { email, _csrf: csrfIn(form) } });
  const mail = await s.hd.db.models.OutboxMail.findOne({
    where: { kind: 'magic_link', toAddr: email.toLowerCase() },
    order: [['id', 'DESC']],
  });
  const url = mail ? /https?:\/\/\S+\/console\/login\/[\w-]+/.exec(mail.text)?.[0] : undefined;
  if (!url) throw new Error(`no sign-in link for ${email}`);
  const path = new URL(url).pathname;
  const confirm = await (await b.req(path)).text();
  const r = await b.req(path, { method: 'POST', form: { _csrf: csrfIn(confirm) } });
  if (r.status !== 303) throw new Error(`sign-in for ${email} answered ${r.status}`);
  return b;
}
