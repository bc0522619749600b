import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import { jsonBodyMiddleware } from '../http/json-body.middleware';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { createValidationPipe } from '../http/validation.pipe';
import { requestContextMiddleware, requestIdMiddleware, requestLogMiddleware } from '../logging/http-request-logging';
import { runInLogContext } from '../logging/log-context';
import { nestLogger } from '../logging/process-logger';
import { SERVICE_NAME } from './service-runtime';

export interface StartedApp {
  app: INestApplication;
  url: string;
}

export const SERVICE_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export interface HttpAppOptions {
  port: number;
  host: string;
  bodyLimitBytes?: number;
  parseJson?: boolean;
  /** Runs before any body byte is read (the gateway's admission: route, key, scope, limits). */
  beforeBody?: (app: INestApplication) => RequestHandler;
}

/**
 * Boots a NestJS HTTP app with the engine's conventions: JSON bodies, problem+json, DTO validation,
 * a request id on every request and its log lines, one log line per request.
 */
export async function startHttpApp(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: any,
  listen: HttpAppOptions,
): Promise<StartedApp> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, logger: nestLogger() });
  const service = app.get<string>(SERVICE_NAME, { strict: false });
  app.disable('x-powered-by');
  app.use(requestIdMiddleware());
  app.use(requestLogMiddleware(service));
  if (listen.beforeBody) app.use(listen.beforeBody(app));
  app.use(jsonBodyMiddleware(listen.bodyLimitBytes ?? SERVICE_BODY_LIMIT_BYTES, { parse: listen.parseJson ?? true }));
  // After the body is read: its stream callbacks would run outside the request's context.
  app.use(requestContextMiddleware(service));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  // Consumers and relays start here (onApplicationBootstrap) and keep the service's name in their lines.
  await runInLogContext({ service }, () => app.listen(listen.port, listen.host));
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host;
  return { app, url: `http://${host}:${port}` };
}
