import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { inject } from 'light-my-request';
import { Agent, request } from 'undici';
import { ServiceName } from '../config/abaxus-config';
import { ProblemException } from '../http/problem.exception';
import { ServiceDirectory } from './service-directory';

/** A service's whole HTTP stack as one function (its express app): what an in-process call runs. */
export type InProcessHandler = (request: IncomingMessage, response: ServerResponse) => void;

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
