/**
 * One request-body limit for every route, applied before any handler parses anything. Without it a form route
 * (`c.req.parseBody()` on /console/login, say) buffers whatever a stranger sends: one 600 MB POST grew the process
 * to 2.6 GB. hono's bodyLimit refuses a declared Content-Length over the limit at once and stops reading a
 * chunked body as soon as it passes the limit, so memory stays bounded by the limit of the route.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.js';

export interface BodyLimits {
  /** HTML forms (console, requester pages): 64 KB holds any reply a person types. */
  form: number;
  /** JSON APIs under /api. */
  json: number;
  /** The raw-MIME webhook (/api/inbound/): derived from MAIL_MAX_BYTES. */
  mail: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { form: 64 * 1024, json: 256 * 1024, mail: 50 * 1024 * 1024 };

/** Which limit a path gets. */
export function limitFor(path: string, l: BodyLimits): { bytes: number; what: keyof BodyLimits } {
  if (path.startsWith('/api/inbound/')) return { bytes: l.mail, what: 'mail' };
  if (path.startsWith('/api/')) return { bytes: l.json, what: 'json' };
  return { bytes: l.form, what: 'form' };
}

const human = (n: number) => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`);

/** Middleware for '*': the body limit of the route's kind, 413 payload_too_large beyond it. */
export function bodyLimits(limits: Partial<BodyLimits> = {}): MiddlewareHandler {
  const l = { ...DEFAULT_BODY_LIMITS, ...limits };
  const guards = Object.fromEntries(
    (Object.keys(l) as (keyof BodyLimits)[]).map((what) => [
      what,
      bodyLimit({
        maxSize: l[what],
        onError: () => {
          throw new AppError('payload_too_large', `The request body is larger than ${human(l[what])}.`);
        },
      }),
    ]),
  ) as Record<keyof BodyLimits, MiddlewareHandler>;
  return (c, next) => guards[limitFor(c.req.path, l).what](c, next);
}
