import { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { jsonBodyMiddleware } from '../http/json-body.middleware';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { createValidationPipe } from '../http/validation.pipe';

export interface StartedApp {
  app: INestApplication;
  url: string;
}

export const SERVICE_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export function logLevels(): LogLevel[] {
  const level = process.env.ABAXUS_LOG_LEVEL ?? 'log';
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const index = order.indexOf(level as LogLevel);
  return order.slice(0, index < 0 ? 4 : index + 1);
}

/** Boots a NestJS HTTP app with the engine's conventions: JSON bodies, problem+json, DTO validation. */
export async function startHttpApp(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: any,
  listen: { port: number; host: string; bodyLimitBytes?: number; parseJson?: boolean; logger?: LoggerService | LogLevel[] | false },
): Promise<StartedApp> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, logger: listen.logger ?? logLevels() });
  app.disable('x-powered-by');
  app.use(jsonBodyMiddleware(listen.bodyLimitBytes ?? SERVICE_BODY_LIMIT_BYTES, { parse: listen.parseJson ?? true }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  await app.listen(listen.port, listen.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host;
  return { app, url: `http://${host}:${port}` };
}
