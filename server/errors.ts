/** Every rejection the helpdesk makes, as data: code → HTTP status, user message, whether an email reply is sent. */
import type { ContentfulStatusCode } from 'hono/utils/http-status';

interface ErrorSpec {
  status: ContentfulStatusCode;
  message: string;
  /** For email intake: tell the sender (true) or stay silent (false, e.g. loops). */
  replyToSender: boolean;
}

export const ERRORS = {
  validation_failed: { status: 400, message: 'Some fields are missing or invalid.', replyToSender: false },
  bad_json: { status: 400, message: 'The request body is not valid JSON.', replyToSender: false },
  bad_request: { status: 400, message: 'The request is not valid.', replyToSender: false },
  // The widget would otherwise mail anyone a stranger names, from the IT sender, with their chosen subject.
  email_domain_not_allowed: {
    status: 400,
    message: 'Please use your work email address: this helpdesk answers company addresses only.',
    replyToSender: false,
  },
  unauthorized: { status: 401, message: 'Authentication required.', replyToSender: false },
  forbidden: { status: 403, message: 'You are not allowed to do this.', replyToSender: false },
  not_found: { status: 404, message: 'Not found.', replyToSender: false },
  ticket_not_found: { status: 404, message: 'No such ticket.', replyToSender: false },
  agent_not_found: { status: 404, message: 'No such active agent.', replyToSender: false },
  invalid_transition: { status: 409, message: 'The ticket is not in a state that allows this.', replyToSender: false },
  link_invalid: { status: 403, message: 'This link is not valid.', replyToSender: false },
  link_expired: { status: 410, message: 'This link has expired.', replyToSender: false },
  payload_too_large: { status: 413, message: 'The request body is too large.', replyToSender: false },
  unsupported_media_type: { status: 415, message: 'Unsupported content type.', replyToSender: false },
  rate_limited: {
    status: 429,
    message: 'Too many requests. Please wait a little and try again.',
    replyToSender: false,
  },
  // Like Stripe: a key names one submission; the same key with another body is a client bug, not a retry.
  idempotency_key_reused: {
    status: 422,
    message: 'This Idempotency-Key was already used for a different submission.',
    replyToSender: false,
  },
  mail_unparseable: { status: 422, message: 'The email could not be parsed.', replyToSender: false },
  mail_too_large: {
    status: 413,
    message: 'The email is larger than the helpdesk accepts; attachments were dropped.',
    replyToSender: true,
  },
  unavailable: { status: 503, message: 'A service the helpdesk depends on is unavailable.', replyToSender: false },
  internal: { status: 500, message: 'Something went wrong on our side.', replyToSender: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** An expected failure with a code from ERRORS; the HTTP layer maps it to a JSON response. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields?: Record<string, string>;
  constructor(code: ErrorCode, message?: string, opts: { cause?: unknown; fields?: Record<string, string> } = {}) {
    super(message ?? ERRORS[code].message, { cause: opts.cause });
    this.code = code;
    this.fields = opts.fields;
  }
  get status() {
    return ERRORS[this.code].status;
  }
}

/** Body of every JSON error response. */
export function errorBody(code: ErrorCode, message?: string, fields?: Record<string, string>) {
  return { error: { code, message: message ?? ERRORS[code].message, ...(fields ? { fields } : {}) } };
}
