/** Socket errors of a server that cannot be reached, or of a connection that broke. */
const SOCKET_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server going away or not taking connections: class 08 (connection exception),
 * admin/crash shutdown, "starting up / shutting down", too many connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What node-postgres says when a connection broke or none could be had in time (these errors carry no code). */
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /not queryable/i, /timeout exceeded when trying to connect/i];

/**
 * True when an error means PostgreSQL cannot be reached (down, restarting, unreachable, out of
 * connections) rather than that the request or the code is wrong. Looks through TypeORM's
 * QueryFailedError (driverError), `cause` chains and AggregateError (several addresses tried).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) return false;
  const { code, message, driverError, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && (SOCKET_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  const inner = [driverError, cause, ...(Array.isArray(errors) ? errors : [])];
  return inner.some((candidate) => candidate !== error && isDatabaseUnavailable(candidate, depth + 1));
}
