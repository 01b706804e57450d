/** A small fetch client for the helpdesk API: JSON in and out, errors as ApiError with the server's message. */

export interface Created {
  id: number;
  ref: string;
  status: string;
  route: string;
  category: string | null;
  severity: string | null;
  urgency: string | null;
  assignee: { name: string; kind: string } | null;
  answer?: string;
  /** The one article a pool or IT-team ticket's acknowledgment suggests ("While you wait: this usually fixes it"). */
  suggestion?: { id: number; title: string };
  requesterToken?: string;
}
export interface Message {
  id: number;
  authorKind: 'requester' | 'agent' | 'ai' | 'system';
  text: string;
  createdAt: string;
}
export interface Detail {
  ref: string;
  subject: string;
  status: string;
  route: string;
  category: string;
  assignee: { name: string; kind: string } | null;
  messages: Message[];
  feedback: { score: number; comment: string | null } | null;
  suggestion?: { id: number; title: string } | null;
  alreadyClosed?: boolean;
}
export interface Article {
  id: number;
  title: string;
  resolution: string;
}
export interface Summary {
  ref: string;
  subject: string;
  status: string;
  route: string;
  category: string;
  createdAt: string;
}
export interface Suggestion {
  id: number;
  title: string;
  snippet: string;
  category: string;
}
/** An open major incident as the public sees it. */
export interface Known {
  ref: string;
  title: string;
  devCenter: string | null;
  since: string;
}
export interface MeToo {
  ticket: string;
  incident: string;
  already: boolean;
  requesterToken?: string;
}
export interface WidgetConfig {
  closeDelaySeconds: number;
  pollSeconds: number;
  devCenters: string[];
}

/** A failed call: the server's message, and per-field messages for validation errors. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A new Idempotency-Key: a random UUID. crypto.randomUUID exists only in secure contexts, and intranet pages are
 * often plain http; getRandomValues works everywhere.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Client bound to one helpdesk origin; `token` is the requester token for /api/my/*. */
export class Api {
  constructor(
    readonly base: string,
    public token: string | null = null,
  ) {}

  /** Calls the API; returns null for a 304 (unchanged since `etag`). */
  async call<T>(
    path: string,
    opts: {
      method?: string;
      body?: unknown;
      etag?: string;
      onEtag?: (e: string) => void;
      auth?: boolean;
      headers?: Record<string, string>;
    } = {},
  ): Promise<T | null> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.auth && this.token) headers.Authorization = `Bearer ${this.token}`;
    if (opts.etag) headers['If-None-Match'] = opts.etag;
    let r: Response;
    try {
      r = await fetch(this.base + path, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: 'omit',
      });
    } catch {
      throw new ApiError('The helpdesk cannot be reached. Check your connection and try again.', 0, 'network');
    }
    if (r.status === 304) return null;
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const e = data?.error ?? {};
      throw new ApiError(
        e.message ?? `The helpdesk answered ${r.status}.`,
        r.status,
        e.code ?? 'error',
        e.fields ?? {},
      );
    }
    const tag = r.headers.get('ETag');
    if (tag) opts.onEtag?.(tag);
    return data as T;
  }

  config = () => this.call<WidgetConfig>('/api/widget/config') as Promise<WidgetConfig>;
  search = (q: string) =>
    this.call<{ results: Suggestion[] }>(`/api/kb/search?limit=3&q=${encodeURIComponent(q)}`) as Promise<{
      results: Suggestion[];
    }>;
  known = (q: string, devCenter?: string) =>
    this.call<{ incidents: Known[] }>(
      `/api/incidents/known?q=${encodeURIComponent(q)}${devCenter ? `&devCenter=${encodeURIComponent(devCenter)}` : ''}`,
    ) as Promise<{ incidents: Known[] }>;
  meToo = (ref: string, body: Record<string, string>) =>
    this.call<MeToo>(`/api/incidents/known/${encodeURIComponent(ref)}/affected`, {
      method: 'POST',
      body,
    }) as Promise<MeToo>;
  deflect = (body: { kbEntryId: number; query: string; devCenter?: string; email?: string }) =>
    this.call('/api/kb/deflections', { method: 'POST', body });
  /** Creates a ticket; `key` names the submission, so sending it again (a retry) makes no second ticket. */
  create = (body: Record<string, string>, key: string) =>
    this.call<Created>('/api/tickets', {
      method: 'POST',
      body,
      headers: { 'Idempotency-Key': key },
    }) as Promise<Created>;
  mine = () => this.call<{ tickets: Summary[] }>('/api/my/tickets', { auth: true }) as Promise<{ tickets: Summary[] }>;
  ticket = (ref: string, etag?: string, onEtag?: (e: string) => void) =>
    this.call<Detail>(`/api/my/tickets/${encodeURIComponent(ref)}`, { auth: true, etag, onEtag });
  article = (id: number) => this.call<Article>(`/api/kb/entries/${id}`) as Promise<Article>;
  act = (ref: string, action: 'comment' | 'close' | 'feedback' | 'solved', body: unknown = {}) =>
    this.call<Detail>(`/api/my/tickets/${encodeURIComponent(ref)}/${action}`, {
      method: 'POST',
      body,
      auth: true,
    }) as Promise<Detail>;
}
