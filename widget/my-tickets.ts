/** <hd-my-tickets>: the tickets of this browser's requester token, with status; opening one fires `hd-open-ticket`. */
import { LitElement, html, css } from 'lit';
import { base } from './styles.js';
import type { Api, Summary } from './api.js';

export const STATUS: Record<string, string> = {
  new: 'Received',
  open: 'Open',
  waiting_on_user: 'Waiting for you',
  resolved: 'Resolved',
  closed: 'Closed',
};

/** Lists the requester's tickets; `api` must carry the requester token. */
export class HdMyTickets extends LitElement {
  static properties = { api: { attribute: false }, tickets: { state: true }, error: { state: true } };
  static styles = [
    base,
    css`
    li button { width: 100%; text-align: start; background: transparent; color: inherit; border: 1px solid var(--hd-border-soft, #d0d7de); margin-top: 6px; font-weight: 400; }
    .ref { font-weight: 700; color: var(--hd-accent, #0b5cad); }
  `,
  ];
  declare api: Api | null;
  declare tickets: Summary[] | null;
  declare error: string;

  constructor() {
    super();
    this.api = null;
    this.tickets = null;
    this.error = '';
  }

  connectedCallback() {
    super.connectedCallback();
    void this.load();
  }

  /** Reloads the list. */
  async load() {
    if (!this.api) return;
    try {
      this.tickets = (await this.api.mine()).tickets;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  render() {
    if (this.error) return html`<p class="err" role="alert">${this.error}</p>`;
    if (!this.tickets) return html`<p class="muted" role="status">Loading your tickets…</p>`;
    if (!this.tickets.length) return html`<p class="muted">No tickets yet.</p>`;
    return html`<ul part="my-tickets" aria-label="My tickets">${this.tickets.map(
      (t) => html`<li>
      <button type="button" part="ticket-link" @click=${() => this.open(t.ref)}>
        <span class="ref">${t.ref}</span> · ${STATUS[t.status] ?? t.status}<br><span>${t.subject}</span></button></li>`,
    )}</ul>`;
  }

  private open(ref: string) {
    this.dispatchEvent(new CustomEvent('hd-open-ticket', { detail: { ref }, bubbles: true, composed: true }));
  }
}
customElements.define('hd-my-tickets', HdMyTickets);
