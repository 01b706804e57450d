/**
 * Ids from URLs. `Number('1e400')` is Infinity and `Number('9007199254740993')` loses a digit: either reached SQL
 * (a 500, or the wrong row). An id is a positive safe integer written in plain digits, or the route answers 404.
 */
import { AppError } from '../errors.js';

/** The id in `text`, or null. */
export function parseId(text: string | undefined | null): number | null {
  if (!text || !/^[1-9][0-9]{0,15}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** The id in `text`; throws not_found (404) otherwise. */
export function requireId(text: string | undefined | null, message?: string): number {
  const id = parseId(text);
  if (id === null) throw new AppError('not_found', message);
  return id;
}
