/** A browser-ish console client for HTTP tests: keeps cookies, never follows redirects, signs in by magic link. */
import { lastMailId, signInMail, type TestServer } from './server.js';

export const csrfIn = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

export function consoleClient(base: string) {
  const jar = new Map<string, string>();
  /** Every Set-Cookie header seen, for tests of cookie flags. */
  const setCookies: string[] = [];
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
      setCookies.push(sc);
      const pair = sc.split(';')[0]!;
      const i = pair.indexOf('=');
      if (!pair.slice(i + 1) || /max-age=0/i.test(sc)) jar.delete(pair.slice(0, i));
      else jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return r;
  }
  return { req, jar, setCookies };
}

/** Signs in as `email` through the real magic-link flow; returns the client and a CSRF token of its session. */
export async function signInAs(s: TestServer, email: string) {
  const b = consoleClient(s.url);
  const form = await (await b.req('/console/login')).text();
  const after = await lastMailId(s.hd);
  await b.req('/console/login', { method: 'POST', form: { email, _csrf: csrfIn(form) } });
  const mail = await signInMail(s.hd, email, after);
  const path = new URL(/https?:\/\/\S+\/console\/login\/[\w-]+/.exec(mail!.text)![0]).pathname;
  const confirm = await (await b.req(path)).text();
  const r = await b.req(path, { method: 'POST', form: { _csrf: csrfIn(confirm) } });
  if (r.status !== 303) throw new Error(`sign-in as ${email} failed: ${r.status}`);
  const csrf = csrfIn(await (await b.req('/console/kb')).text());
  return { ...b, csrf };
}

export type ConsoleClient = Awaited<ReturnType<typeof signInAs>>;

/** Signs in as `email` (see signInAs); returns the client holding the session. */
export const signIn = (s: TestServer, email: string): Promise<ConsoleClient> => signInAs(s, email);
