/**
 * Shared shadow-root styles. `:host` resets everything with !important: for important declarations the
 * shadow tree wins over the page, so a host page rule like `* { all: unset !important; color: red !important }`
 * cannot reach in, and nothing inherits from the page. Theme through the --hd-* custom properties or ::part.
 */
import { css } from 'lit';

export const base = css`
  :host {
    all: initial !important;
    display: block !important;
    box-sizing: border-box !important;
    font-family: var(--hd-font, system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif) !important;
    font-size: var(--hd-font-size, 15px) !important;
    line-height: 1.45 !important;
    color: var(--hd-fg, #1f2328) !important;
    text-align: start !important;
    visibility: visible !important;
    opacity: 1 !important;
  }
  :host([hidden]) { display: none !important; }
  *, *::before, *::after { box-sizing: border-box; }
  h2, h3 { margin: 0 0 8px; font-size: 1.1em; line-height: 1.3; }
  h3 { font-size: 1em; }
  p { margin: 0 0 10px; }
  .muted { color: var(--hd-muted, #57606a); font-size: .9em; }
  button {
    font: inherit; cursor: pointer; border-radius: calc(var(--hd-radius, 8px) - 2px); padding: 8px 14px; font-weight: 600;
    background: var(--hd-accent, #0b5cad); color: var(--hd-accent-fg, #fff); border: 1px solid var(--hd-accent, #0b5cad);
  }
  button.link { background: transparent; color: var(--hd-accent, #0b5cad); border-color: transparent; padding: 4px 6px; text-decoration: underline; }
  button.secondary { background: transparent; color: var(--hd-accent, #0b5cad); }
  button[disabled] { opacity: .6; cursor: progress; }
  button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, [tabindex]:focus-visible {
    outline: 3px solid var(--hd-focus, #0b5cad); outline-offset: 2px;
  }
  input, select, textarea {
    font: inherit; color: inherit; width: 100%; padding: 8px 10px; border: 1px solid var(--hd-border, #8c959f);
    border-radius: calc(var(--hd-radius, 8px) - 2px); background: var(--hd-input-bg, #fff); display: block;
  }
  textarea { min-height: 96px; resize: vertical; }
  label { display: block; font-weight: 600; margin: 10px 0 4px; }
  .err { color: var(--hd-error, #b3261e); font-size: .9em; margin: 4px 0 0; }
  .box { border-left: 3px solid var(--hd-accent, #0b5cad); background: var(--hd-soft, #f2f6fb); padding: 10px 12px; white-space: pre-line; border-radius: 4px; margin: 8px 0; }
  .row { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin-top: 10px; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  ul { list-style: none; margin: 0; padding: 0; }
`;
