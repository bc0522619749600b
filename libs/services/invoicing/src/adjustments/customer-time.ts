import { Injectable } from '@nestjs/common';
import { Clock } from '@abaxus/platform/time/clock';
import { BillingScheduleRepository } from '../billing/billing-schedule.repository';
import { TestClocksRepository } from '../test-clocks/test-clocks.repository';

/** "Now" for a customer: its test clock's frozen time when its subscriptions live on one, else the clock's. */
@Injectable()
export class CustomerTime {
  constructor(
    private readonly schedule: BillingScheduleRepository,
    private readonly clocks: TestClocksRepository,
    private readonly clock: Clock,
  ) {}

  async now(customerId: string): Promise<Date> {
    const onClock = (await this.schedule.allOfCustomer(customerId)).find((row) => row.test_clock);
    if (onClock?.test_clock) {
      const clock = await this.clocks.find(onClock.test_clock);
      if (clock) return clock.frozen_time;
    }
    return this.clock.now();
  }
}
