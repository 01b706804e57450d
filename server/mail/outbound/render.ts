/** Renders templates/email/* (HTML + text) with CSS inlined by juice, because Outlook and Gmail drop <style>. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import juice from 'juice';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../templates/email');
const cache = new Map<string, string>();
const load = (name: string) => {
  let t = cache.get(name);
  if (t === undefined) cache.set(name, (t = readFileSync(path.join(dir, name), 'utf8')));
  return t;
};

/** HTML-escapes text. */
export const escapeHtml = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

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

/** Renders one email kind from its .html and .txt templates inside the shared layout. */
export function renderEmail(kind: string, vars: Record<string, unknown>): Rendered {
  const content = fill(load(`${kind}.html`), vars, true);
  const html = juice(fill(load('layout.html'), { ...vars, content }, true), { preserveMediaQueries: true, removeStyleTags: false });
  return { html, text: fill(load(`${kind}.txt`), vars, false).trim() + '\n' };
}

export const EMOJI = ['😞', '🙁', '😐', '🙂', '😍'] as const;
