/** Renders templates/email/* (HTML + text) with CSS inlined by juice, because Outlook and Gmail drop <style>. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import juice from 'juice';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../templates/email');
const cache = new Map<string, string>();
const load = (name: string) => {
  let t = cache.get(name);
  if (t === undefined) {
    t = readFileSync(path.join(dir, name), 'utf8');
    cache.set(name, t);
  }
  return t;
};

/** HTML-escapes text. */
export const escapeHtml = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** `{{x}}` is escaped for HTML (or left as is for text), `{{{x}}}` is inserted raw. */
export function fill(template: string, vars: Record<string, unknown>, html: boolean): string {
  return template
    .replace(/\{\{\{(\w+)\}\}\}/g, (_, k) => String(vars[k] ?? ''))
    .replace(/\{\{(\w+)\}\}/g, (_, k) => (html ? escapeHtml(vars[k]) : String(vars[k] ?? '')));
}

export interface Rendered {
  html: string;
  text: string;
}

const inlined = new Map<string, string>();

/**
 * The layout with one kind's content, CSS inlined. Inlining depends only on the markup, not on the values, so it
 * runs once per kind (juice costs milliseconds; the answer path runs it for every ticket otherwise).
 * Values inserted raw ({{{…}}}) carry their own inline styles.
 */
function inlinedTemplate(kind: string): string {
  let t = inlined.get(kind);
  if (t === undefined) {
    const combined = load('layout.html').replace('{{{content}}}', load(`${kind}.html`));
    t = juice(combined, { preserveMediaQueries: true, removeStyleTags: false });
    inlined.set(kind, t);
  }
  return t;
}

/** Renders one email kind from its .html and .txt templates inside the shared layout. */
export function renderEmail(kind: string, vars: Record<string, unknown>): Rendered {
  return { html: fill(inlinedTemplate(kind), vars, true), text: fill(load(`${kind}.txt`), vars, false).trim() + '\n' };
}
