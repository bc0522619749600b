import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { runInLogContext } from './log-context';
import { rootLogger } from './process-logger';
import { acceptRequestId, newRequestId, REQUEST_ID_HEADER } from './request-id';

/** Probes and scrapes, answered many times a minute: logged only at debug. */
const ROUTINE_PATHS = /^\/(health\/(live|ready)|metrics)\/?(\?|$)/;

const startedAt = new WeakMap<IncomingMessage, number>();

function requestIdOf(req: IncomingMessage): string {
  return String(req.id);
}

/** Takes the caller's X-Request-Id when it is a safe one, else makes one; answers with it. */
export function requestIdMiddleware(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    startedAt.set(req, performance.now());
    req.id = acceptRequestId(req.headers[REQUEST_ID_HEADER]) ?? newRequestId();
    res.setHeader('X-Request-Id', req.id);
    next();
  };
}

/** What the line of one answered request says. */
export interface AnsweredRequest {
  service: string;
  requestId: string | undefined;
  method: string | undefined;
  path: string | undefined;
  /** undefined: the client went away before the answer was sent. */
  status: number | undefined;
  durationMs: number | undefined;
}

/**
 * One line per request when its answer is sent: method, path, status, duration, request id.
 * Never its headers or body. Failures and aborted requests at warn, probes at debug.
 */
export function logAnsweredRequest(request: AnsweredRequest): void {
  const logger = rootLogger();
  const level = request.status === undefined || request.status >= 500 ? 'warn' : ROUTINE_PATHS.test(request.path ?? '') ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const { method, path, status, durationMs } = request;
  logger[level](request, `${String(method)} ${String(path)} ${status === undefined ? 'aborted' : String(status)} ${String(durationMs)}ms`);
}

/**
 * Logs each request when its answer is sent (logAnsweredRequest). Written from the socket's
 * callback, outside the request's log context, so the line names the service and the request
 * itself. A listener on the response rather than pino-http: pino-http makes a child logger for
 * every request even when its line is dropped, about a tenth of the engine's CPU per single event.
 */
export function requestLogMiddleware(service: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.once('close', () => {
      const began = startedAt.get(req);
      logAnsweredRequest({
        service,
        requestId: requestIdOf(req),
        method: req.method,
        path: req.originalUrl ?? req.url,
        status: res.writableEnded ? res.statusCode : undefined,
        durationMs: began === undefined ? undefined : Math.round(performance.now() - began),
      });
    });
    next();
  };
}

/** Everything the request runs (handlers, calls, messages it publishes) carries its id. */
export function requestContextMiddleware(service: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => runInLogContext({ service, requestId: requestIdOf(req) }, next);
}
