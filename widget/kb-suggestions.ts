/** <hd-kb-suggestions>: knowledge-base articles that may already answer the issue being typed, with "This solved it". */
import { LitElement, html, css } from 'lit';
import { base } from './styles.js';
import type { Suggestion } from './api.js';

/** Fires `hd-solved` with {suggestion} when the person says an article solved it. */
export class HdKbSuggestions extends LitElement {
  static properties = { items: { attribute: false }, solved: { type: Boolean } };
  static styles = [
    base,
    css`
    :host { margin: 10px 0 !important; }
    li { border: 1px solid var(--hd-border-soft, #d0d7de); border-radius: calc(var(--hd-radius, 8px) - 2px); padding: 8px 10px; margin-top: 6px; }
    .title { font-weight: 600; }
    .snippet { margin: 4px 0 6px; display: -webkit-box; -webkit-line-clamp: 4; -webkit-box-orient: vertical; overflow: hidden; }
  `,
  ];
  declare items: Suggestion[];
  declare solved: boolean;

  constructor() {
    super();
    this.items = [];
    this.solved = false;
  }

  render() {
    if (this.solved)
      return html`<p class="box" role="status" part="deflected">Glad that helped! No ticket was needed.</p>`;
    if (!this.items.length) return html``;
    return html`<section part="suggestions" aria-labelledby="h">
      <h3 id="h">These articles may already solve it</h3>
      <ul>${this.items.map(
        (s) => html`<li>
        <div class="title">${s.title}</div>
        <p class="snippet">${s.snippet}</p>
        <button class="secondary" type="button" part="button" @click=${() => this.pick(s)} aria-label=${`This solved it: ${s.title}`}>This solved it</button></li>`,
      )}</ul>
    </section>`;
  }

  private pick(suggestion: Suggestion) {
    this.dispatchEvent(new CustomEvent('hd-solved', { detail: { suggestion }, bubbles: true, composed: true }));
  }
}
customElements.define('hd-kb-suggestions', HdKbSuggestions);
