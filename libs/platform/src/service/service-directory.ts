import { ServiceName } from '../config/abaxus-config';
import { ProblemException } from '../http/problem.exception';

/**
 * Where each service answers over HTTP. Distributed mode fills it from *_URL variables; the
 * embedded engine fills it once every in-process service is listening on its loopback port.
 */
export class ServiceDirectory {
  private readonly urls = new Map<ServiceName, string>();

  constructor(initial: Partial<Record<ServiceName, string>> = {}) {
    for (const [name, url] of Object.entries(initial)) if (url) this.urls.set(name as ServiceName, url);
  }

  register(name: ServiceName, url: string): void {
    this.urls.set(name, url.replace(/\/$/, ''));
  }

  urlOf(name: ServiceName): string {
    const url = this.urls.get(name);
    if (!url) throw new ProblemException(503, 'service_unavailable', `The ${name} service is not configured (set ${name.toUpperCase()}_URL).`);
    return url;
  }

  has(name: ServiceName): boolean {
    return this.urls.has(name);
  }
}
