/**
 * <hd-known-issues>: open major incidents that match what is being typed, shown before the knowledge-base articles,
 * each with "Me too". Only what is public about an incident is here: its title, centre and start time.
 */
import { LitElement, html, css } from 'lit';
import { base } from './styles.js';
import type { Known } from './api.js';

/** Fires `hd-me-too` with {incident} when the person says they have the problem too. */
export class HdKnownIssues extends LitElement {
  static properties = {
    items: { attribute: false },
    affected: { attribute: false },
    busy: { type: Boolean },
    error: {},
  };
  static styles = [
    base,
    css`
    :host { margin: 10px 0 !important; }
    li { border: 2px solid var(--hd-alert, #cf222e); border-radius: calc(var(--hd-radius, 8px) - 2px); padding: 8px 10px; margin-top: 6px; }
    .title { font-weight: 600; margin-bottom: 2px; }
  `,
  ];
  declare items: Known[];
  /** The incident this browser said "Me too" to, and the ticket that recorded it. */
  declare affected: { incident: string; ticket: string } | null;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.items = [];
    this.affected = null;
    this.busy = false;
    this.error = '';
  }

  private when(iso: string) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  render() {
    if (!this.items.length) return html``;
    return html`<section part="known-issues" aria-labelledby="kh">
      <h3 id="kh">Known issue${this.items.length > 1 ? 's' : ''}</h3>
      <ul>${this.items.map((k) => {
        const mine = this.affected?.incident === k.ref;
        return html`<li>
          <div class="title">Known issue: ${k.title} — we're on it</div>
          <p class="muted">${k.devCenter ?? 'All centres'} · since ${this.when(k.since)}</p>
          ${
            mine
              ? html`<p class="box" role="status">Thanks: you are recorded as affected (${this.affected!.ticket}). We will email you when it is fixed.</p>`
              : html`<button type="button" part="button" ?disabled=${this.busy} @click=${() => this.pick(k)} aria-label=${`Me too: ${k.title}`}>Me too</button>`
          }</li>`;
      })}</ul>
      ${this.error ? html`<p class="err" role="alert">${this.error}</p>` : ''}
    </section>`;
  }

  private pick(incident: Known) {
    this.dispatchEvent(new CustomEvent('hd-me-too', { detail: { incident }, bubbles: true, composed: true }));
  }
}
customElements.define('hd-known-issues', HdKnownIssues);
