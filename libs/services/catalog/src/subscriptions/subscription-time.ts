import { Injectable } from '@nestjs/common';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ServiceHttpClient } from '@abaxus/platform/service/service-http-client';
import { Clock } from '@abaxus/platform/time/clock';

interface TestClockJson {
  id: string;
  frozen_time: string;
}

/**
 * A subscription's "now": the engine's clock, or the frozen time of the test clock it lives on
 * (test clocks belong to invoicing, whose scheduler advances them; read over HTTP, never under a
 * row lock).
 */
@Injectable()
export class SubscriptionTime {
  constructor(
    private readonly clock: Clock,
    private readonly http: ServiceHttpClient,
  ) {}

  /** `field` names the request field when an unknown clock is the caller's mistake (→ 404 naming it). */
  async now(testClock: string | null, field?: string): Promise<Date> {
    if (testClock === null) return this.clock.now();
    const response = await this.http.call<TestClockJson>('invoicing', 'GET', `/v1/test-clocks/${encodeURIComponent(testClock)}`);
    if (response.status === 404 && field) {
      throw new ProblemException(404, 'not_found', `Test clock "${testClock}" does not exist.`, { errors: [{ field, message: 'unknown test clock' }] });
    }
    if (response.status !== 200) {
      throw new ProblemException(
        503,
        'test_clock_unavailable',
        `The time of test clock "${testClock}" cannot be read (invoicing answered ${response.status}).`,
      );
    }
    return new Date(response.body.frozen_time);
  }

  /** The "now" of each distinct clock (null: the engine's). */
  async nowsFor(testClocks: Array<string | null>): Promise<Map<string | null, Date>> {
    const distinct = [...new Set(testClocks)];
    const nows = await Promise.all(distinct.map((clock) => this.now(clock)));
    return new Map(distinct.map((clock, index) => [clock, nows[index]]));
  }
}
