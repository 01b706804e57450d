/** Maps every failure to the JSON error shape `{error: {code, message, fields?}}` (or a page, for HTML routes). */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ConnectionError } from 'sequelize';
import type { z } from 'zod';
import { AppError, ERRORS, errorBody, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * What a log line may say about where an error happened: the route pattern (`/t/:token`), or the path with every
 * token-like segment cut out. Paths such as /t/<token> and /console/login/<token> are credentials.
 */
export function logPath(c: Context): string {
  const route = c.req.routePath;
  if (route && route !== '*' && route !== '/*' && !route.endsWith('/*')) return route;
  return c.req.path
    .split('/')
    .map((seg, i, all) =>
      (i > 0 && (all[i - 1] === 't' || (all[i - 1] === 'login' && all[i - 2] === 'console'))) ||
      /^[\w.~-]{20,}$/.test(seg)
        ? ':token'
        : seg,
    )
    .join('/');
}

/** Hono onError handler. */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      // The client may still be sending the oversized body: tell it not to reuse this connection.
      if (err.code === 'payload_too_large') c.header('Connection', 'close');
      return c.json(errorBody(err.code, err.message, err.fields), err.status);
    }
    if (err instanceof HTTPException) {
      const code: ErrorCode =
        err.status === 413
          ? 'payload_too_large'
          : err.status === 401
            ? 'unauthorized'
            : err.status === 429
              ? 'rate_limited'
              : 'bad_request';
      return c.json(errorBody(code, err.message || undefined), ERRORS[code].status);
    }
    if (err instanceof ConnectionError) {
      // The database is unreachable (restarting, failing over): a retryable 503, not a 500 that reads like a bug.
      log.warn({ err: err.message, path: logPath(c) }, 'database unavailable');
      c.header('Retry-After', '5');
      return c.json(
        errorBody('unavailable', 'The helpdesk cannot reach its database right now. Please try again in a moment.'),
        503,
      );
    }
    log.error({ err, path: logPath(c) }, 'unhandled error');
    return c.json(errorBody('internal'), 500);
  };
}

/** Reads a JSON body and validates it; broken JSON and invalid fields become 400s with every bad field named. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  const raw = await c.req.text();
  try {
    body = raw.trim() ? JSON.parse(raw) : {};
  } catch (cause) {
    throw new AppError('bad_json', 'The request body is not valid JSON.', { cause });
  }
  const r = schema.safeParse(body);
  if (!r.success) {
    const fields: Record<string, string> = {};
    for (const i of r.error.issues) fields[i.path.join('.') || '_'] ??= i.message;
    throw new AppError('validation_failed', `Invalid ${Object.keys(fields).join(', ')}.`, { fields });
  }
  return r.data;
}
