import { ServiceName } from '../config/abaxus-config';
import { ProblemBody, ProblemException } from '../http/problem.exception';
import { requestIdHeaders } from '../logging/request-id';
import { ServiceDirectory } from './service-directory';
import { sendToService } from './service-transport';

export interface ServiceResponse<T = unknown> {
  status: number;
  body: T;
}

/** Synchronous calls between services go over HTTP (never Kafka request-reply), with the request id. */
export class ServiceHttpClient {
  constructor(private readonly directory: ServiceDirectory) {}

  async call<T = unknown>(
    service: ServiceName,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    timeoutMs = 30_000,
  ): Promise<ServiceResponse<T>> {
    const answer = await sendToService(this.directory, service, {
      method,
      path,
      headers: { ...requestIdHeaders(), ...this.directory.requestHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs,
    });
    const text = answer.body.toString('utf8');
    return { status: answer.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** Like call, but a problem answer is rethrown as the same problem. */
  async expectOk<T = unknown>(service: ServiceName, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    const response = await this.call<T>(service, method, path, body);
    if (response.status >= 400) {
      const problem = response.body as unknown as ProblemBody;
      throw new ProblemException(response.status, problem?.code ?? 'upstream_error', problem?.detail ?? `The ${service} service answered ${response.status}.`, {
        ...(problem?.errors ? { errors: problem.errors } : {}),
      });
    }
    return response.body;
  }
}
