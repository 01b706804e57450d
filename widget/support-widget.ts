/**
 * <hd-support-widget>: the support form (name, email, development center, issue) with knowledge-base suggestions
 * while typing, then the ticket it created, and "My tickets". Attributes: `api-base` (default: the origin that
 * served widget.js), `dev-center` (preset), `heading`. Events: hd-ticket-created, hd-deflected, hd-affected ("Me too"
 * on a known issue), and those of its parts.
 */
import { LitElement, html, css, type PropertyValues } from 'lit';
import { base } from './styles.js';
import { Api, ApiError, newIdempotencyKey, type Created, type Known, type Suggestion } from './api.js';
import { loadProfile, loadToken, saveProfile, saveToken } from './store.js';
import { sayMeToo } from './me-too.js';
import './known-issues.js';
import './kb-suggestions.js';
import './ticket-view.js';
import './my-tickets.js';

type View = 'form' | 'ticket' | 'list';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The embeddable support widget. */
export class HdSupportWidget extends LitElement {
  static properties = {
    apiBase: { attribute: 'api-base' },
    devCenter: { attribute: 'dev-center' },
    heading: {},
    view: { state: true },
    devCenters: { state: true },
    suggestions: { state: true },
    known: { state: true },
    affected: { state: true },
    meTooError: { state: true },
    solved: { state: true },
    errors: { state: true },
    busy: { state: true },
    created: { state: true },
    ref: { state: true },
    closeDelay: { state: true },
    pollSeconds: { state: true },
    said: { state: true },
  };
  static styles = [
    base,
    css`
    .card { background: var(--hd-bg, #fff); border: 1px solid var(--hd-border-soft, #d0d7de); border-radius: var(--hd-radius, 8px); padding: 16px; }
    header { display: flex; justify-content: space-between; align-items: center; gap: 8px; margin-bottom: 6px; }
    header h2 { margin: 0; }
    h2:focus { outline: none; }
    .hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
    .submit { margin-top: 14px; }
  `,
  ];
  declare apiBase: string;
  declare devCenter: string;
  declare heading: string;
  declare view: View;
  declare devCenters: string[];
  declare suggestions: Suggestion[];
  declare known: Known[];
  declare affected: { incident: string; ticket: string } | null;
  declare meTooError: string;
  declare solved: boolean;
  declare errors: Record<string, string>;
  declare busy: boolean;
  declare created: Created | null;
  declare ref: string;
  declare closeDelay: number;
  declare pollSeconds: number;
  declare said: string;
  private api!: Api;
  private debounce?: ReturnType<typeof setTimeout>;
  private lastQuery = '';
  /** The submission not yet answered with a 201: sending the same one again reuses its Idempotency-Key. */
  private pending?: { body: string; key: string };

  constructor() {
    super();
    Object.assign(this, {
      apiBase: '',
      devCenter: '',
      heading: 'IT support',
      view: 'form',
      devCenters: [],
      suggestions: [],
      known: [],
      affected: null,
      meTooError: '',
      solved: false,
      errors: {},
      busy: false,
      created: null,
      ref: '',
      closeDelay: 10,
      pollSeconds: 5,
      said: '',
    });
  }

  connectedCallback() {
    super.connectedCallback();
    // widget.js is served by the helpdesk, so its own URL names the API unless the page says otherwise.
    this.api = new Api(
      (this.apiBase || new URL(import.meta.url).origin).replace(/\/$/, ''),
      loadToken()?.token ?? null,
    );
    this.api.config().then(
      (c) =>
        Object.assign(this, { closeDelay: c.closeDelaySeconds, pollSeconds: c.pollSeconds, devCenters: c.devCenters }),
      () => {},
    );
  }

  private field(name: string) {
    return this.renderRoot.querySelector<HTMLInputElement>(`[name=${name}]`)!;
  }

  private onIssue() {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(async () => {
      // The form may be gone by now (pasted and sent within the debounce): nothing to suggest for.
      if (this.view !== 'form') return;
      const q = this.field('issue').value.trim();
      if (q === this.lastQuery) return;
      this.lastQuery = q;
      this.solved = false;
      const long = q.length >= 8;
      const dc = this.field('devCenter').value || undefined;
      // An open incident about the same problem shows first; the articles after it.
      const [known, hits] = await Promise.all([
        long ? this.api.known(q, dc).catch(() => ({ incidents: [] })) : { incidents: [] },
        long ? this.api.search(q).catch(() => ({ results: [] })) : { results: [] },
      ]);
      Object.assign(this, { known: known.incidents, suggestions: hits.results });
    }, 350);
  }

  /** "Me too" on a known issue: recorded as affected (a ticket without a description), told when it is fixed. */
  private async onMeToo(e: CustomEvent<{ incident: Known }>) {
    const v = Object.fromEntries(['name', 'email', 'devCenter'].map((k) => [k, this.field(k).value.trim()]));
    // "Me too" needs who you are (the email tells you when it is fixed), not a description.
    const { issue: _, ...errors } = this.validate(v);
    this.errors = errors;
    if (Object.keys(errors).length) {
      await this.updateComplete;
      this.field(Object.keys(errors)[0]!).focus();
      return;
    }
    this.busy = true;
    this.meTooError = '';
    try {
      const r = await sayMeToo(this.api, e.detail.incident.ref, {
        name: v.name!,
        email: v.email!,
        devCenter: v.devCenter!,
      });
      this.affected = { incident: r.incident, ticket: r.ticket };
      this.dispatchEvent(new CustomEvent('hd-affected', { detail: r, bubbles: true, composed: true }));
    } catch (err) {
      this.meTooError = (err as ApiError).message;
    } finally {
      this.busy = false;
    }
  }

  private async onSolved(e: CustomEvent<{ suggestion: Suggestion }>) {
    const email = this.field('email').value.trim();
    await this.api
      .deflect({
        kbEntryId: e.detail.suggestion.id,
        query: this.field('issue').value.trim().slice(0, 2000),
        devCenter: this.field('devCenter').value || undefined,
        email: EMAIL.test(email) ? email : undefined,
      })
      .catch(() => {});
    this.solved = true;
    this.dispatchEvent(
      new CustomEvent('hd-deflected', { detail: { kbEntryId: e.detail.suggestion.id }, bubbles: true, composed: true }),
    );
  }

  private validate(v: Record<string, string>) {
    const errors: Record<string, string> = {};
    if (!v.name) errors.name = 'Please enter your name.';
    if (!EMAIL.test(v.email ?? '')) errors.email = 'Please enter a valid email address, like name@company.com.';
    if ((v.issue ?? '').length < 10)
      errors.issue = 'Please describe the issue in a few words (at least 10 characters).';
    return errors;
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    clearTimeout(this.debounce);
    const v = Object.fromEntries(
      ['name', 'email', 'devCenter', 'issue', 'website'].map((k) => [k, this.field(k).value.trim()]),
    );
    this.errors = this.validate(v);
    if (!Object.keys(this.errors).length) {
      this.busy = true;
      try {
        // Empty optional fields are left out rather than stored as ''.
        // The token this browser already holds for this email lets "My tickets" grow with the new ticket.
        const held = loadToken();
        const body = Object.fromEntries(Object.entries(v).filter(([k, x]) => x || k === 'website')) as Record<
          string,
          string
        >;
        if (held && held.email === v.email!.toLowerCase()) body.requesterToken = held.token;
        // One key per submission, kept until it is answered: a resend of the same text after a lost answer (the
        // ticket may have been created) gets that ticket back, not a second one.
        const sent = JSON.stringify(body);
        if (this.pending?.body !== sent) this.pending = { body: sent, key: newIdempotencyKey() };
        const created = await this.createRetrying(body, this.pending.key);
        this.pending = undefined;
        saveProfile({ name: v.name!, email: v.email!, devCenter: v.devCenter! });
        if (created.requesterToken) {
          saveToken(created.requesterToken, v.email!);
          this.api.token = created.requesterToken;
        }
        Object.assign(this, { created, ref: created.ref, view: 'ticket', suggestions: [], lastQuery: '' });
        this.dispatchEvent(
          new CustomEvent('hd-ticket-created', {
            detail: { ref: created.ref, route: created.route },
            bubbles: true,
            composed: true,
          }),
        );
      } catch (err) {
        const a = err as ApiError;
        this.errors = Object.keys(a.fields ?? {}).length ? a.fields : { _: a.message };
      } finally {
        this.busy = false;
      }
    }
    await this.updateComplete;
    const bad = Object.keys(this.errors).find((k) => k !== '_');
    if (bad) this.field(bad).focus();
  }

  /** Creates the ticket; once more after a moment when the network failed or the server answered 5xx. */
  private async createRetrying(body: Record<string, string>, key: string) {
    try {
      return await this.api.create(body, key);
    } catch (err) {
      const status = (err as ApiError).status;
      if (!(err instanceof ApiError) || (status !== 0 && status < 500)) throw err;
      await new Promise((r) => setTimeout(r, 1000));
      return this.api.create(body, key);
    }
  }

  private go(view: View, ref = '') {
    Object.assign(this, {
      view,
      ref,
      created: view === 'ticket' && ref === this.created?.ref ? this.created : null,
      errors: {},
      solved: false,
    });
  }

  protected updated(changed: PropertyValues) {
    if (changed.has('view') && changed.get('view') !== undefined && this.view !== 'ticket')
      this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  private input(name: string, label: string, type: string, value: string, autocomplete: string) {
    const err = this.errors[name];
    return html`<label for=${name}>${label}</label>
      <input id=${name} name=${name} type=${type} .value=${value} autocomplete=${autocomplete} required part="input"
        aria-invalid=${err ? 'true' : 'false'} aria-describedby=${err ? `${name}-err` : ''}>
      ${err ? html`<p class="err" id=${`${name}-err`}>${err}</p>` : ''}`;
  }

  private form() {
    const p = loadProfile();
    const dc = this.devCenter || p.devCenter || '';
    const issueErr = this.errors.issue;
    return html`<form novalidate @submit=${this.submit} part="form" aria-labelledby="h">
      ${this.input('name', 'Your name', 'text', p.name ?? '', 'name')}
      ${this.input('email', 'Work email', 'email', p.email ?? '', 'email')}
      <label for="devCenter">Development center</label>
      <select id="devCenter" name="devCenter" part="input"><option value="">Choose…</option>
        ${this.devCenters.map((d) => html`<option value=${d} ?selected=${d === dc}>${d}</option>`)}</select>
      <label for="issue">What is the problem?</label>
      <textarea id="issue" name="issue" required maxlength="20000" part="input" @input=${this.onIssue}
        aria-invalid=${issueErr ? 'true' : 'false'} aria-describedby=${issueErr ? 'issue-err' : 'issue-hint'}></textarea>
      ${issueErr ? html`<p class="err" id="issue-err">${issueErr}</p>` : html`<p class="muted" id="issue-hint">Suggestions from our knowledge base appear while you type.</p>`}
      <div class="hp" aria-hidden="true"><label for="website">Leave this empty</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
      <hd-known-issues .items=${this.known} .affected=${this.affected} ?busy=${this.busy} .error=${this.meTooError} @hd-me-too=${this.onMeToo}></hd-known-issues>
      <hd-kb-suggestions .items=${this.suggestions} ?solved=${this.solved} @hd-solved=${this.onSolved}></hd-kb-suggestions>
      ${this.errors._ ? html`<p class="err" role="alert">${this.errors._}</p>` : ''}
      <button class="submit" type="submit" part="button submit" ?disabled=${this.busy}>${this.busy ? 'Sending…' : 'Send to IT'}</button>
    </form>`;
  }

  render() {
    const hasToken = !!this.api?.token;
    return html`<div class="card" part="panel">
      <header><h2 id="h" tabindex="-1">${this.view === 'list' ? 'My tickets' : this.heading}</h2>
        <nav class="row" aria-label="Support">
          ${this.view !== 'form' ? html`<button type="button" class="link" @click=${() => this.go('form')}>New request</button>` : ''}
          ${hasToken && this.view !== 'list' ? html`<button type="button" class="link" @click=${() => this.go('list')}>My tickets</button>` : ''}</nav></header>
      ${
        this.view === 'form'
          ? this.form()
          : this.view === 'list'
            ? html`<hd-my-tickets .api=${this.api} @hd-open-ticket=${(e: CustomEvent) => this.go('ticket', e.detail.ref)}></hd-my-tickets>`
            : html`<hd-ticket-view .api=${this.api} .ref=${this.ref} .created=${this.created} .closeDelay=${this.closeDelay} .pollSeconds=${this.pollSeconds}></hd-ticket-view>`
      }
    </div>`;
  }
}
customElements.define('hd-support-widget', HdSupportWidget);
