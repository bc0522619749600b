import type { FieldError, Problem } from './types';

/** Anything the SDK throws for a request that did not succeed. */
export class AbaxusError extends Error {
  override readonly name: string = 'AbaxusError';
  constructor(
    message: string,
    /** The operation, e.g. `issueInvoice` (the OpenAPI operationId). */
    readonly operation: string,
    /** How many attempts were made (retries included). */
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The engine answered with an error (RFC 9457 problem+json): `status`, the stable `code`, `type`,
 * `title`, `detail` and, for invalid input, `errors` naming each field.
 */
export class AbaxusApiError extends AbaxusError {
  override readonly name = 'AbaxusApiError';
  readonly status: number;
  /** Stable and machine-readable, e.g. `validation_failed`, `not_found`, `already_invoiced`. */
  readonly code: string;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** The invalid fields by path (`charges[0].properties.tiers[1].up_to`); empty when none. */
  readonly errors: FieldError[];
  /** The whole problem document, extension members (`lag`, `currencies`, `decline_code`, …) included. */
  readonly problem: Problem & Record<string, unknown>;

  constructor(operation: string, attempts: number, status: number, body: unknown) {
    const problem = toProblem(status, body);
    const fields = problem.errors?.length ? ` (${problem.errors.map((error) => `${error.field}: ${error.message}`).join('; ')})` : '';
    super(`${operation}: ${status} ${problem.code}: ${problem.detail}${fields}`, operation, attempts);
    this.status = status;
    this.code = problem.code;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.problem = problem;
  }

  /** The message for one field, e.g. `fieldError('cutoff_date')`. */
  fieldError(field: string): string | undefined {
    return this.errors.find((error) => error.field === field)?.message;
  }
}

/** No answer: the connection failed or every attempt timed out. */
export class AbaxusConnectionError extends AbaxusError {
  override readonly name = 'AbaxusConnectionError';
  constructor(
    operation: string,
    attempts: number,
    /** True when the last attempt ran out of time (`timeoutMs`) rather than failing to connect. */
    readonly timedOut: boolean,
    cause: unknown,
  ) {
    super(`${operation}: ${timedOut ? 'no answer in time' : `connection failed (${describeCause(cause)})`} after ${attempts} attempt(s)`, operation, attempts, {
      cause,
    });
  }
}

/** A body that is not a problem document (a proxy's HTML page, an empty 502) still makes a usable error. */
function toProblem(status: number, body: unknown): Problem & Record<string, unknown> {
  if (body && typeof body === 'object' && typeof (body as Problem).code === 'string') {
    const problem = body as Problem & Record<string, unknown>;
    return { ...problem, detail: typeof problem.detail === 'string' ? problem.detail : '', title: problem.title ?? '', type: problem.type ?? 'about:blank' };
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return { type: 'about:blank', title: `HTTP ${status}`, status, code: 'unexpected_response', detail: text || `HTTP ${status} without a problem document` };
}

function describeCause(cause: unknown): string {
  const error = cause as { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  return error?.cause?.code ?? error?.code ?? error?.cause?.message ?? error?.message ?? String(cause);
}
