/** <hd-launcher>: a floating "IT help" button that opens the support widget in a panel (for pages without the element). */
import { LitElement, html, css } from 'lit';
import { base } from './styles.js';
import './support-widget.js';

/** Floating launcher; `api-base` and `dev-center` are passed to the widget. Escape closes and returns focus. */
export class HdLauncher extends LitElement {
  static properties = {
    apiBase: { attribute: 'api-base' },
    devCenter: { attribute: 'dev-center' },
    open: { type: Boolean, reflect: true },
  };
  static styles = [
    base,
    css`
    :host { position: fixed !important; right: 20px !important; bottom: 20px !important; z-index: 2147483000 !important; }
    .toggle { border-radius: 999px; padding: 12px 18px; box-shadow: 0 4px 14px rgba(0, 0, 0, .25); }
    .panel { position: absolute; right: 0; bottom: 60px; width: min(400px, calc(100vw - 40px)); max-height: min(640px, calc(100vh - 100px)); overflow: auto;
      box-shadow: 0 8px 30px rgba(0, 0, 0, .3); border-radius: var(--hd-radius, 8px); background: var(--hd-bg, #fff); }
  `,
  ];
  declare apiBase: string;
  declare devCenter: string;
  declare open: boolean;

  constructor() {
    super();
    Object.assign(this, { apiBase: '', devCenter: '', open: false });
    this.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.open) this.toggle();
    });
  }

  private async toggle() {
    this.open = !this.open;
    await this.updateComplete;
    if (this.open)
      this.renderRoot.querySelector('hd-support-widget')?.shadowRoot?.querySelector<HTMLElement>('input, h2')?.focus();
    else this.renderRoot.querySelector<HTMLElement>('.toggle')?.focus();
  }

  render() {
    return html`
      ${
        this.open
          ? html`<div class="panel" id="p" role="dialog" aria-label="IT support" part="launcher-panel">
        <hd-support-widget api-base=${this.apiBase} dev-center=${this.devCenter}></hd-support-widget></div>`
          : ''
      }
      <button class="toggle" type="button" part="launcher" aria-expanded=${String(this.open)} aria-controls="p" @click=${this.toggle}>
        ${this.open ? 'Close IT help' : 'IT help'}</button>`;
  }
}
customElements.define('hd-launcher', HdLauncher);
