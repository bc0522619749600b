import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { problemBody, ProblemBody, ProblemException } from './problem.exception';

/** How long a client is asked to wait before retrying a 503 (an embedded PostgreSQL restarts within seconds). */
export const RETRY_AFTER_SECONDS = 5;

/** Body-parser style errors carry `type` and `status` (see http-errors). */
interface ParserError {
  type?: string;
  status?: number;
  message?: string;
}

export function toProblem(exception: unknown, logger?: Logger): ProblemBody {
  if (exception instanceof ProblemException) return exception.problem;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message = typeof response === 'object' && response && 'message' in response ? String((response as { message: unknown }).message) : exception.message;
    const code = status === 404 ? 'route_not_found' : status === 413 ? 'payload_too_large' : status === 405 ? 'method_not_allowed' : `http_${status}`;
    return problemBody(status, code, message);
  }
  if (isDatabaseUnavailable(exception)) {
    logger?.warn(`database unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
    return problemBody(503, 'database_unavailable', 'The database cannot be reached right now; retry shortly.');
  }
  const parser = exception as ParserError;
  if (parser && parser.type === 'entity.too.large') return problemBody(413, 'payload_too_large', 'The request body is too large.');
  if (parser && typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
    return problemBody(parser.status, 'bad_request', parser.message ?? 'Bad request.');
  }
  logger?.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return problemBody(500, 'internal_error', 'An unexpected error occurred.');
}

/** An error as the answer it becomes: its problem and the headers that go with it (Retry-After on a transient 503). */
export function problemAnswer(exception: unknown, logger?: Logger): { problem: ProblemBody; headers: Record<string, string> } {
  const problem = toProblem(exception, logger);
  const headers: Record<string, string> = exception instanceof ProblemException ? { ...exception.headers } : {};
  // Transient unavailability (database, bus, another service, not ready) says when to retry;
  // a missing configuration (`*_not_configured`) will not fix itself, so no Retry-After there.
  if (problem.status === 503 && !problem.code.endsWith('_not_configured') && !Object.keys(headers).some((name) => name.toLowerCase() === 'retry-after')) {
    headers['Retry-After'] = String(RETRY_AFTER_SECONDS);
  }
  return { problem, headers };
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { problem, headers } = problemAnswer(exception, this.logger);
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) {
      // A Retry-After set earlier on this response (the rate limiter's) is the one that holds.
      if (name === 'Retry-After' && !(exception instanceof ProblemException && name in exception.headers) && response.getHeader(name)) continue;
      response.setHeader(name, value);
    }
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
