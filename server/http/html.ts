/**
 * The one way to render HTML on the server, for pages and for email: hono/html's tagged template. Every value is
 * escaped unless it is itself html`…` (or raw() around markup we produced, such as sanitize-html's output), and an
 * inserted value is never scanned again: a ticket whose text is "{{thread}}" or "${x}" shows exactly that.
 * Booleans, null and undefined render as nothing, so write String(flag) where the word itself is wanted.
 */
import { html as honoHtml, raw as honoRaw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** Markup that is safe to insert as is. */
export type Html = HtmlEscapedString;

const sync = (h: Html | Promise<Html>): Html => {
  // Our templates never hold promises; one would mean a caller forgot an await.
  if (h instanceof Promise) throw new TypeError('a promise was interpolated into an HTML template');
  return h;
};

/** Tagged template: escapes every value except Html; arrays are joined. */
export const html = (strings: TemplateStringsArray, ...values: unknown[]): Html => sync(honoHtml(strings, ...values));

/** Marks markup we produced ourselves as safe (never text that came from outside). */
export const raw = (markup: string): Html => honoRaw(markup);

/** Escapes one text for HTML (for the rare attribute built outside a template, e.g. srcdoc). */
export const escapeHtml = (text: unknown): string => html`${String(text ?? '')}`.toString();
