import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString, ParsedUrlQuery } from 'node:querystring';
import { Logger } from '@nestjs/common';
import { inject } from 'light-my-request';
import { Agent, request } from 'undici';
import { ServiceName } from '../config/abaxus-config';
import { parseRequestBody } from '../http/json-body.middleware';
import { problemAnswer } from '../http/problem-details.filter';
import { ProblemException } from '../http/problem.exception';
import { logAnsweredRequest } from '../logging/http-request-logging';
import { runInLogContext } from '../logging/log-context';
import { REQUEST_ID_HEADER } from '../logging/request-id';
import type { ServiceDirectory } from './service-directory';

/** A service's whole HTTP stack as one function (its express app): what an in-process call runs. */
export type InProcessHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * One route of a service answered by a plain function when the caller is in the same process: no
 * HTTP stack at all (no request objects, middleware or router), for the hottest paths (a single
 * usage event). It must answer as the route's controller does; a parity test holds them together.
 */
export interface InProcessRoute {
  method: string;
  /** The exact path, without the query. */
  path: string;
  /** The status of a success (the controller's @HttpCode). */
  status: number;
  /** body: the JSON body ({} for none); query: as express's "simple" query parser reads it (the controller's @Query()). */
  handle(body: unknown, query: ParsedUrlQuery): Promise<unknown>;
}

/**
 * Express gives every request and response its own prototypes (built on Node's), which would hide
 * the methods light-my-request's objects override (`end`, `write`, `destroy`…). Pinning those as
 * own properties first keeps them. (light-my-request's own Express support rewires the prototypes
 * Express shares between all apps of the process, which breaks the real HTTP servers beside it.)
 */
function keepingInjectedMethods(handler: InProcessHandler): InProcessHandler {
  return (request, response) => {
    for (const target of [request, response] as object[]) {
      const own = Object.getPrototypeOf(target) as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(own)) {
        const value = own[name];
        if (name !== 'constructor' && typeof value === 'function') Object.defineProperty(target, name, { value, writable: true, configurable: true });
      }
    }
    handler(request, response);
  };
}

export interface ServiceRequest {
  method: string;
  /** Path and query, from the service's root. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  timeoutMs: number;
}

export interface ServiceAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const logger = new Logger('ServiceTransport');
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1 });

/**
 * One request to a service. A service in this process (the embedded engine) is called through its
 * HTTP stack without a socket (light-my-request builds the request and response objects): the same
 * middleware, guards and problem+json, none of the loopback connection, HTTP parsing and client
 * pool that cost about a fifth of the engine's CPU per event. Any other service goes over HTTP.
 */
export async function sendToService(directory: ServiceDirectory, service: ServiceName, call: ServiceRequest): Promise<ServiceAnswer> {
  const queryAt = call.path.indexOf('?');
  const route = directory.inProcessRouteOf(service, call.method, queryAt === -1 ? call.path : call.path.slice(0, queryAt));
  if (route) return answerInProcess(route, service, call, queryAt === -1 ? '' : call.path.slice(queryAt + 1));
  const handler = directory.inProcessHandlerOf(service);
  try {
    if (handler) {
      const answer = await inject(keepingInjectedMethods(handler), { method: call.method as 'GET', url: call.path, headers: call.headers, payload: call.body });
      return { status: answer.statusCode, headers: answer.headers as ServiceAnswer['headers'], body: answer.rawPayload };
    }
    const answer = await request(`${directory.urlOf(service)}${call.path}`, {
      method: call.method as 'GET',
      headers: call.headers,
      body: call.body,
      dispatcher: agent,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
    });
    return { status: answer.statusCode, headers: answer.headers, body: Buffer.from(await answer.body.arrayBuffer()) };
  } catch (error) {
    if (error instanceof ProblemException) throw error;
    // The cause stays in this process's log, not in an answer that may reach the public edge.
    logger.warn(`calling the ${service} service failed: ${(error as Error).message}`);
    throw new ProblemException(503, 'service_unavailable', `The ${service} service cannot be reached.`);
  }
}

function jsonAnswer(status: number, contentType: string, value: unknown, headers: Record<string, string> = {}): ServiceAnswer {
  const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, text]) => [name.toLowerCase(), text]));
  return { status, headers: { ...lowerCased, 'content-type': contentType }, body: Buffer.from(JSON.stringify(value)) };
}

/** The route's function with the service's log context, its body parsed, its errors as problem+json and its log line, as its HTTP stack would. */
function answerInProcess(route: InProcessRoute, service: ServiceName, call: ServiceRequest, query: string): Promise<ServiceAnswer> {
  const requestId = call.headers[REQUEST_ID_HEADER];
  const began = performance.now();
  return runInLogContext({ service, requestId }, async () => {
    let answer: ServiceAnswer;
    try {
      const body = parseRequestBody(typeof call.body === 'string' ? Buffer.from(call.body) : (call.body ?? Buffer.alloc(0)));
      answer = jsonAnswer(route.status, 'application/json; charset=utf-8', await route.handle(body, parseQueryString(query)));
    } catch (error) {
      const { problem, headers } = problemAnswer(error, logger);
      answer = jsonAnswer(problem.status, 'application/problem+json; charset=utf-8', problem, headers);
    }
    logAnsweredRequest({ service, requestId, method: call.method, path: call.path, status: answer.status, durationMs: Math.round(performance.now() - began) });
    return answer;
  });
}
