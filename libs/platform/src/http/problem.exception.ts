import { HttpException } from '@nestjs/common';

export interface ProblemFieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function problemBody(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): ProblemBody {
  return {
    type: `https://abaxus.dev/problems/${code.replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...extra,
  };
}

/**
 * The one error type of the engine: an RFC 9457 problem with a stable machine-readable `code`.
 * Application services throw it; the HTTP filter writes it as application/problem+json.
 */
export class ProblemException extends HttpException {
  constructor(status: number, code: string, detail: string, extra: { errors?: ProblemFieldError[]; [key: string]: unknown } = {}) {
    super(problemBody(status, code, detail, extra), status);
  }

  /** Response headers that go with the problem (the HTTP filter writes them). */
  readonly headers: Record<string, string> = {};

  get problem(): ProblemBody {
    return this.getResponse() as ProblemBody;
  }

  /** Tells the client when to try again (503, 429). */
  retryAfter(seconds: number): this {
    this.headers['Retry-After'] = String(seconds);
    return this;
  }

  static validation(errors: ProblemFieldError[], detail = 'The request is not valid.'): ProblemException {
    return new ProblemException(400, 'validation_failed', detail, { errors });
  }

  static notFound(what: string, id: string): ProblemException {
    return new ProblemException(404, 'not_found', `${what} "${id}" does not exist.`);
  }
}

/**
 * One refused item of an internal batch answer (`{ error }` in place of its result): its problem
 * without type and title. The batch routes write it with batchItemProblem; their clients turn it
 * back into the ProblemException it was with fromBatchItemProblem.
 */
export interface BatchItemProblem {
  status: number;
  code: string;
  detail: string;
  errors?: ProblemFieldError[];
}

/** A refusal as a batch item's problem; an unexpected error as a 500. */
export function batchItemProblem(error: unknown): BatchItemProblem {
  if (error instanceof ProblemException) {
    const body = error.problem;
    return {
      status: error.getStatus(),
      code: String(body.code ?? 'error'),
      detail: String(body.detail ?? error.message),
      ...(body.errors ? { errors: body.errors } : {}),
    };
  }
  return { status: 500, code: 'internal_error', detail: (error as Error).message };
}

export function fromBatchItemProblem(problem: BatchItemProblem): ProblemException {
  return new ProblemException(problem.status, problem.code, problem.detail, problem.errors ? { errors: problem.errors } : {});
}
