import { ServiceName } from '../config/abaxus-config';
import { ProblemException } from '../http/problem.exception';
import { INTERNAL_CREDENTIAL_HEADER } from './internal-credential';
import type { InProcessHandler, InProcessRoute } from './service-transport';

/**
 * Where each service answers over HTTP. Distributed mode fills it from *_URL variables; the
 * embedded engine fills it once every in-process service is listening on its loopback port.
 */
export class ServiceDirectory {
  private readonly urls = new Map<ServiceName, string>();
  private readonly inProcess = new Map<ServiceName, InProcessHandler>();
  private readonly inProcessRoutes = new Map<string, InProcessRoute>();

  /** internalCredential: what the service ports require (see InternalCredentialGuard): the embedded engine's own, or ABAXUS_INTERNAL_TOKEN. */
  constructor(
    initial: Partial<Record<ServiceName, string>> = {},
    private readonly internalCredential?: string,
  ) {
    for (const [name, url] of Object.entries(initial)) if (url) this.urls.set(name as ServiceName, url);
  }

  /** Headers every request to a service carries (the internal credential, when there is one). */
  requestHeaders(): Record<string, string> {
    return this.internalCredential ? { [INTERNAL_CREDENTIAL_HEADER]: this.internalCredential } : {};
  }

  register(name: ServiceName, url: string): void {
    this.urls.set(name, url.replace(/\/$/, ''));
  }

  /** A service running in this process: calls go straight to its HTTP stack (its port stays open too). */
  registerInProcess(name: ServiceName, url: string, handler: InProcessHandler): void {
    this.register(name, url);
    this.inProcess.set(name, handler);
  }

  /**
   * Routes of a service whose module runs in this process, answered by a plain function (see
   * InProcessRoute); the module registers them when it starts. Callers in other processes use HTTP.
   */
  registerInProcessRoutes(name: ServiceName, routes: InProcessRoute[]): void {
    for (const route of routes) this.inProcessRoutes.set(`${name} ${route.method} ${route.path}`, route);
  }

  inProcessRouteOf(name: ServiceName, method: string, path: string): InProcessRoute | undefined {
    return this.inProcessRoutes.size === 0 ? undefined : this.inProcessRoutes.get(`${name} ${method} ${path}`);
  }

  inProcessHandlerOf(name: ServiceName): InProcessHandler | undefined {
    return this.inProcess.get(name);
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
