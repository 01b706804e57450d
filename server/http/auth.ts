/** Bearer-token check for the admin API (integrations and scripts). */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when the Authorization header carries the admin token (compared in constant time). */
export function hasAdminToken(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token));
}

/** Middleware: 401 unless the admin bearer token is present. */
export function requireAdmin(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!hasAdminToken(c.req.header('authorization'), token))
      throw new AppError('unauthorized', 'A valid admin bearer token is required.');
    await next();
  };
}
