/**
 * <hd-ticket-view>: one ticket as its requester sees it: reference, category, what happens next, the AI answer,
 * the thread with live updates (polling with ETag, so an unchanged ticket costs a 304), comment, close, feedback.
 */
import { LitElement, html, css, type PropertyValues } from 'lit';
import { base } from './styles.js';
import { STATUS } from './my-tickets.js';
import type { Api, Article, Created, Detail } from './api.js';
import './feedback.js';

const WHO: Record<string, string> = { requester: 'You', agent: 'IT team', ai: 'AI assistant', system: 'IT Helpdesk' };

/** Shows and follows one ticket; `api` carries the requester token. Fires `hd-ticket-closed`. */
export class HdTicketView extends LitElement {
  static properties = {
    api: { attribute: false },
    ref: {},
    created: { attribute: false },
    closeDelay: { type: Number },
    pollSeconds: { type: Number },
    detail: { state: true },
    canClose: { state: true },
    commenting: { state: true },
    busy: { state: true },
    error: { state: true },
    said: { state: true },
    article: { state: true },
  };
  static styles = [
    base,
    css`
    h2:focus { outline: none; }
    .thread li { padding: 8px 0; border-top: 1px solid var(--hd-border-soft, #d0d7de); white-space: pre-line; }
    .who { display: block; font-weight: 700; font-size: .9em; }
    .suggestion { margin: 10px 0; white-space: normal; }
    .suggestion .steps { max-height: 16em; overflow: auto; white-space: pre-line; margin-bottom: 6px; }
  `,
  ];
  declare api: Api | null;
  declare ref: string;
  declare created: Created | null;
  declare closeDelay: number;
  declare pollSeconds: number;
  declare detail: Detail | null;
  declare canClose: boolean;
  declare commenting: boolean;
  declare busy: boolean;
  declare error: string;
  declare said: string;
  /** The suggested article's text, fetched once. */
  declare article: Article | null;
  private etag = '';
  private timers: ReturnType<typeof setTimeout>[] = [];

  constructor() {
    super();
    Object.assign(this, {
      api: null,
      ref: '',
      created: null,
      closeDelay: 10,
      pollSeconds: 5,
      detail: null,
      canClose: false,
      commenting: false,
      busy: false,
      error: '',
      said: '',
      article: null,
    });
  }

  connectedCallback() {
    super.connectedCallback();
    // The close option waits a moment so that the answer is read before it is dismissed.
    this.timers.push(setTimeout(() => (this.canClose = true), this.closeDelay * 1000));
    this.timers.push(setInterval(() => void this.refresh(), Math.max(1, this.pollSeconds) * 1000));
    void this.refresh();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  protected firstUpdated(_: PropertyValues) {
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
    if (this.created)
      this.said = `Ticket ${this.created.ref} created.${
        this.created.answer
          ? ' An answer from the AI assistant is below.'
          : this.created.suggestion
            ? ' While you wait, an article that usually fixes it is below.'
            : ''
      }`;
    if (this.created?.suggestion) void this.loadArticle(this.created.suggestion.id);
  }

  /** Fetches the ticket unless unchanged; announces replies that arrived since the last look. */
  async refresh() {
    if (!this.api || !this.ref || document.hidden) return;
    try {
      const d = await this.api.ticket(this.ref, this.etag || undefined, (e) => (this.etag = e));
      if (d) this.show(d);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** The article of a suggestion (title and steps), fetched once per ticket. */
  private async loadArticle(id: number) {
    if (!this.api || this.article?.id === id) return;
    this.article = await this.api.article(id).catch(() => null);
  }

  private show(d: Detail) {
    const before = this.detail?.messages.length ?? d.messages.length;
    const fresh = d.messages.slice(before).filter((m) => m.authorKind !== 'requester');
    if (fresh.length) this.said = `New reply from the ${WHO[fresh[0]!.authorKind]} on ${d.ref}.`;
    this.detail = d;
    this.error = '';
    if (d.suggestion && !['resolved', 'closed'].includes(d.status)) void this.loadArticle(d.suggestion.id);
  }

  /** "This solved it" on the suggested article: the ticket is resolved as solved by suggestion. */
  private async solved() {
    const d = await this.act('solved', {}, 'Glad it helped: the ticket is resolved.');
    if (d)
      this.dispatchEvent(
        new CustomEvent('hd-suggestion-solved', {
          detail: { ref: d.ref, kbEntryId: d.suggestion?.id },
          bubbles: true,
          composed: true,
        }),
      );
  }

  /** "While you wait: this usually fixes it", while a person has the ticket and it is still open. */
  private suggestion(head: { status: string; suggestion?: { id: number; title: string } | null }) {
    const s = head.suggestion;
    if (!s || ['resolved', 'closed'].includes(head.status)) return '';
    const a = this.article?.id === s.id ? this.article : null;
    return html`<section class="suggestion box" part="suggestion" aria-labelledby="sg">
      <h3 id="sg">While you wait: this usually fixes it</h3>
      <p><b>${s.title}</b></p>${a ? html`<div class="steps" tabindex="0" role="region" aria-label="Steps">${a.resolution}</div>` : ''}
      <div class="row"><button type="button" part="button solved" ?disabled=${this.busy} @click=${this.solved}>This solved it</button></div>
    </section>`;
  }

  private async act(action: 'comment' | 'close' | 'feedback' | 'solved', body: unknown, said: string) {
    if (!this.api) return;
    this.busy = true;
    try {
      const d = await this.api.act(this.ref, action, body);
      this.etag = '';
      this.detail = d;
      this.said = said;
      this.error = '';
      return d;
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.busy = false;
    }
  }

  private async close() {
    const d = await this.act('close', {}, 'Ticket closed. How did we do?');
    if (d)
      this.dispatchEvent(
        new CustomEvent('hd-ticket-closed', { detail: { ref: d.ref }, bubbles: true, composed: true }),
      );
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('hd-feedback')?.focus();
  }

  private async comment(e: SubmitEvent) {
    e.preventDefault();
    const area = this.renderRoot.querySelector('textarea')!;
    if (!area.value.trim()) {
      this.error = 'Please write a comment first.';
      return;
    }
    if (await this.act('comment', { text: area.value }, 'Comment added.')) this.commenting = false;
  }

  private next(d: { route: string; status: string; assignee: { name: string } | null }) {
    if (d.status === 'closed') return 'This ticket is closed.';
    if (d.status === 'resolved')
      return 'This ticket is resolved. Close it if all is well, or add a comment to reopen it.';
    if (d.route === 'ai')
      return 'Our AI assistant answered right away, below. If it solves it, close the ticket; if not, add a comment and a person from the IT team takes over.';
    if (d.assignee) return `${d.assignee.name} from the IT team has it. Replies appear here and by email.`;
    return "It is in the IT team's queue; the first free person picks it up. Replies appear here and by email.";
  }

  render() {
    const d = this.detail;
    const c = this.created;
    const head = d ?? c;
    const closed = d?.status === 'closed';
    const thread = d
      ? d.messages.slice(1)
      : c?.answer
        ? [{ id: 0, authorKind: 'ai' as const, text: c.answer, createdAt: '' }]
        : [];
    return html`<section part="ticket" aria-labelledby="t">
      <h2 id="t" tabindex="-1">Ticket ${this.ref}</h2>
      ${head ? html`<p class="muted" part="meta">${head.category ?? ''} · ${STATUS[head.status] ?? head.status}</p><p part="next">${this.next(head)}</p>` : ''}
      ${head ? this.suggestion(head) : ''}
      <ul class="thread" aria-label="Conversation">${thread.map((m) => html`<li class=${m.authorKind === 'ai' ? 'box' : ''} part=${m.authorKind === 'ai' ? 'answer' : 'message'}><span class="who">${WHO[m.authorKind]}</span>${m.text}</li>`)}</ul>
      ${
        closed
          ? html`<hd-feedback tabindex="-1" .score=${d?.feedback?.score ?? 0} ?busy=${this.busy}
          @hd-feedback=${(e: CustomEvent) => this.act('feedback', { score: e.detail.score }, `Thank you, you rated ${e.detail.score} of 5.`)}></hd-feedback>`
          : html`<div class="row">
          ${this.canClose ? html`<button type="button" part="button close" ?disabled=${this.busy} @click=${this.close}>Close ticket</button>` : ''}
          ${this.commenting ? '' : html`<button type="button" class="secondary" part="button" @click=${() => (this.commenting = true)}>Add a comment</button>`}</div>
        ${
          this.commenting
            ? html`<form @submit=${this.comment} part="comment-form">
          <label for="c">Your comment</label><textarea id="c" maxlength="20000"></textarea>
          <div class="row"><button type="submit" part="button" ?disabled=${this.busy}>Send comment</button>
          <button type="button" class="link" @click=${() => (this.commenting = false)}>Cancel</button></div></form>`
            : ''
        }`
      }
      ${this.error ? html`<p class="err" role="alert">${this.error}</p>` : ''}
      <div class="sr" role="status" aria-live="polite">${this.said}</div>
    </section>`;
  }

  protected updated(changed: PropertyValues) {
    if (changed.has('commenting') && this.commenting) this.renderRoot.querySelector('textarea')?.focus();
  }
}
customElements.define('hd-ticket-view', HdTicketView);
