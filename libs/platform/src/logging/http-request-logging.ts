import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
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

function summary(service: string, req: IncomingMessage, res: ServerResponse): Record<string, unknown> {
  const began = startedAt.get(req);
  return {
    service,
    requestId: requestIdOf(req),
    method: req.method,
    path: (req as Request).originalUrl ?? req.url,
    status: res.statusCode,
    durationMs: began === undefined ? undefined : Math.round(performance.now() - began),
  };
}

function line(service: string, req: IncomingMessage, res: ServerResponse): string {
  const { method, path, status, durationMs } = summary(service, req, res);
  return `${String(method)} ${String(path)} ${res.writableEnded ? String(status) : 'aborted'} ${String(durationMs)}ms`;
}

/**
 * One line per request when its answer is sent: method, path, status, duration, request id.
 * Never its headers or body. (The line is written from the socket's callback, outside the
 * request's log context, so it names the service and the request itself.)
 */
export function requestLogMiddleware(service: string): RequestHandler {
  const logger = rootLogger();
  return pinoHttp({
    logger,
    genReqId: (req) => requestIdOf(req),
    quietResLogger: true,
    // pino-http binds the request to a child logger for each request: serialize nothing of it
    // (no headers, so no credentials, and no work for a logger nobody uses).
    wrapSerializers: false,
    serializers: { req: () => undefined, res: () => undefined },
    // A level the logger would drop is 'silent': pino-http then builds no line at all (hot path).
    customLogLevel: (req, res, error) => {
      const level = error || res.statusCode >= 500 ? 'warn' : ROUTINE_PATHS.test(req.url ?? '') ? 'debug' : 'info';
      return logger.isLevelEnabled(level) ? level : 'silent';
    },
    customSuccessObject: (req, res) => summary(service, req, res),
    customSuccessMessage: (req, res) => line(service, req, res),
    customErrorObject: (req, res) => summary(service, req, res),
    customErrorMessage: (req, res) => line(service, req, res),
  }) as unknown as RequestHandler;
}

/** Everything the request runs (handlers, calls, messages it publishes) carries its id. */
export function requestContextMiddleware(service: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => runInLogContext({ service, requestId: requestIdOf(req) }, next);
}
