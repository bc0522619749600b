import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { IdempotencyRepository } from './idempotency.repository';

export interface ProxiedResponse {
  status: number;
  contentType: string;
  /** Text for JSON and other text answers; the bytes as sent otherwise (a PDF). */
  body: string | Buffer;
  replayed?: boolean;
  /** The service's Retry-After (on a 503), passed on to the client. */
  retryAfter?: string;
}

const TTL_HOURS = 24;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Stripe's convention for mutating POSTs: the first answer to a key is stored and replayed for
 * 24 h; the same key with another request is a 409. Server errors are not stored, so a retry acts.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly repository: IdempotencyRepository) {}

  async run(scope: string, key: string, method: string, path: string, body: Buffer, forward: () => Promise<ProxiedResponse>): Promise<ProxiedResponse> {
    if (!KEY_PATTERN.test(key)) {
      throw new ProblemException(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 printable ASCII characters.');
    }
    const requestHash = createHash('sha256').update(`${method} ${path}\n`).update(body).digest('hex');
    if (!(await this.repository.claim(scope, key, requestHash))) {
      await this.repository.releaseIfExpired(scope, key, TTL_HOURS);
      if (!(await this.repository.claim(scope, key, requestHash))) return this.replay(scope, key, requestHash);
    }
    let response: ProxiedResponse;
    try {
      response = await forward();
    } catch (error) {
      await this.repository.release(scope, key);
      throw error;
    }
    if (response.status >= 500) await this.repository.release(scope, key);
    // Mutating calls answer JSON: text.
    else await this.repository.complete(scope, key, response.status, response.contentType, response.body.toString());
    return response;
  }

  private async replay(scope: string, key: string, requestHash: string): Promise<ProxiedResponse> {
    const stored = await this.repository.find(scope, key, TTL_HOURS);
    if (!stored) throw new ProblemException(409, 'idempotency_conflict', 'The Idempotency-Key changed state during the request; retry.');
    if (stored.requestHash !== requestHash) {
      throw new ProblemException(409, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
    }
    if (stored.status === null) {
      throw new ProblemException(409, 'idempotency_request_in_progress', 'A request with this Idempotency-Key is still being processed; retry later.');
    }
    return { status: stored.status, contentType: stored.contentType ?? 'application/json', body: stored.responseBody ?? '', replayed: true };
  }
}
