import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ProblemException } from '../http/problem.exception';

/** The header that carries the internal credential from the gateway and the services to a service port. */
export const INTERNAL_CREDENTIAL_HEADER = 'x-abaxus-internal-token';

/** A fresh random credential; the embedded engine makes one per process and never writes it anywhere. */
export function generateInternalCredential(): string {
  return randomBytes(32).toString('base64url');
}

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

  constructor(credential: string) {
    this.expected = digest(credential);
  }

  canActivate(context: ExecutionContext): boolean {
    const presented = context.switchToHttp().getRequest<Request>().headers[INTERNAL_CREDENTIAL_HEADER];
    if (typeof presented === 'string' && timingSafeEqual(digest(presented), this.expected)) return true;
    throw new ProblemException(401, 'unauthorized', 'This port serves the engine itself; call the API through the gateway.');
  }
}
