import { CanActivate, DynamicModule, ExecutionContext, Injectable, Module, SetMetadata } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ProblemException } from '../http/problem.exception';

/** The header that carries the internal credential from the gateway and the services to a service port. */
export const INTERNAL_CREDENTIAL_HEADER = 'x-abaxus-internal-token';

/** A fresh random credential; the embedded engine makes one per process and never writes it anywhere. */
export function generateInternalCredential(): string {
  return randomBytes(32).toString('base64url');
}

const OPEN_TO_PROBES = Symbol('OPEN_TO_PROBES');

/**
 * Marks a controller that answers without the internal credential: health (Kubernetes and
 * container probes carry no credential) and Prometheus metrics. They reveal no data and no error text.
 */
export const OpenToProbes = (): ClassDecorator => SetMetadata(OPEN_TO_PROBES, true);

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Lets a request in at a service port only with the internal credential: the public door is the
 * gateway (API keys), the service ports answer the engine itself. Compared in constant time.
 */
@Injectable()
export class InternalCredentialGuard implements CanActivate {
  private readonly expected: Buffer;
  private readonly reflector = new Reflector();

  constructor(credential: string) {
    this.expected = digest(credential);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.get<boolean>(OPEN_TO_PROBES, context.getClass())) return true;
    const presented = context.switchToHttp().getRequest<Request>().headers[INTERNAL_CREDENTIAL_HEADER];
    if (typeof presented === 'string' && timingSafeEqual(digest(presented), this.expected)) return true;
    throw new ProblemException(401, 'unauthorized', 'This port serves the engine itself; call the API through the gateway.');
  }
}

/**
 * A service as the engine runs it, in either mode: every route but health and metrics answers
 * only requests carrying the internal credential (the embedded engine's own, or ABAXUS_INTERNAL_TOKEN).
 */
@Module({})
export class InternalCredentialModule {
  static around(service: DynamicModule, credential: string): DynamicModule {
    return { module: InternalCredentialModule, imports: [service], providers: [{ provide: APP_GUARD, useValue: new InternalCredentialGuard(credential) }] };
  }
}
