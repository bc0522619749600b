import { Inject, Injectable, Logger } from '@nestjs/common';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { Caller } from '../auth/api-key-authenticator';
import { RateLimitRepository } from './rate-limit.repository';

export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window ends (RateLimit-Reset, and Retry-After when refused). */
  resetSeconds: number;
}

/**
 * Fixed windows of ABAXUS_RATE_LIMIT_WINDOW_SECONDS aligned on the epoch, one counter row per key
 * and window: a single upsert per request, exact across replicas. (A burst of up to twice the
 * limit across a window boundary is the known cost of fixed windows; it keeps each check one statement.)
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private currentWindow = 0;

  constructor(
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
    private readonly clock: Clock,
    private readonly repository: RateLimitRepository,
  ) {}

  /** The caller's limit per window: its key's own, else ABAXUS_RATE_LIMIT; 0 = none. */
  limitOf(caller: Caller): number {
    return caller.rateLimit ?? this.config.rateLimit.requestsPerWindow;
  }

  /** Counts the request and says whether it is within the caller's limit; undefined when the caller has none. */
  async admit(caller: Caller): Promise<RateLimitVerdict | undefined> {
    const limit = this.limitOf(caller);
    if (limit === 0) return undefined;
    const windowMs = this.config.rateLimit.windowSeconds * 1000;
    const now = this.clock.now().getTime();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    if (windowStart !== this.currentWindow) {
      this.currentWindow = windowStart;
      // Housekeeping off the request's path: a failure only leaves old rows for the next window.
      this.repository
        .forgetWindowsBefore(new Date(windowStart))
        .catch((error: Error) => this.logger.warn(`old rate-limit windows not deleted: ${error.message}`));
    }
    const count = await this.repository.count(caller.id, new Date(windowStart));
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetSeconds: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)),
    };
  }
}
