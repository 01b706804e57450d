/** <hd-feedback>: five emoji buttons (1–5); a later choice replaces the earlier one. */
import { LitElement, html, css } from 'lit';
import { FEEDBACK_FACES as FACES, FEEDBACK_LABELS as WORDS } from '../server/domain/vocabulary.js';
import { base } from './styles.js';

/** Fires `hd-feedback` with {score}; `score` marks the current choice (aria-pressed). */
export class HdFeedback extends LitElement {
  static properties = { score: { type: Number }, busy: { type: Boolean } };
  static styles = [
    base,
    css`
    .faces { display: flex; gap: 6px; }
    .faces button { font-size: 1.6em; line-height: 1; background: transparent; border: 2px solid transparent; padding: 4px 6px; color: inherit; }
    .faces button[aria-pressed='true'] { border-color: var(--hd-accent, #0b5cad); background: var(--hd-soft, #f2f6fb); }
  `,
  ];
  declare score: number;
  declare busy: boolean;

  constructor() {
    super();
    this.score = 0;
    this.busy = false;
  }

  render() {
    return html`<div part="feedback" role="group" aria-labelledby="q">
      <p id="q"><strong>How did we do?</strong></p>
      <div class="faces">${FACES.map(
        (f, i) => html`<button type="button" part="emoji" aria-pressed=${String(this.score === i + 1)}
        aria-label=${`${WORDS[i]} (${i + 1} of 5)`} title=${WORDS[i]} ?disabled=${this.busy} @click=${() => this.choose(i + 1)}>${f}</button>`,
      )}</div>
      ${this.score ? html`<p class="muted" role="status">Thank you! You rated ${this.score} of 5. You can change it.</p>` : ''}
    </div>`;
  }

  private choose(score: number) {
    this.dispatchEvent(new CustomEvent('hd-feedback', { detail: { score }, bubbles: true, composed: true }));
  }
}
customElements.define('hd-feedback', HdFeedback);
