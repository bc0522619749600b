import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { toDate } from '@abaxus/domain/time/rfc3339-timestamp';
import { AbaxusConfig } from '@abaxus/platform/config/abaxus-config';
import { ProblemException } from '@abaxus/platform/http/problem.exception';
import { ListQueryDto, listLimit } from '@abaxus/platform/http/listing/list-query.dto';
import { Page, toPage, unknownCursor } from '@abaxus/platform/http/listing/page';
import { ABAXUS_CONFIG } from '@abaxus/platform/service/service-runtime';
import { Clock } from '@abaxus/platform/time/clock';
import { BillingRunService } from '../billing/billing-run.service';
import { CatalogSubscriptionsConsumer } from '../billing/catalog-subscriptions.consumer';
import { CollectionService } from '../collection/collection.service';
import { AdvanceTestClockDto, CreateTestClockDto } from './test-clock.dto';
import { TestClockRow, TestClocksRepository } from './test-clocks.repository';

export interface TestClockJson {
  id: string;
  name: string | null;
  frozen_time: string;
  status: 'ready' | 'advancing';
  created_at: string;
}

const toJson = (row: TestClockRow): TestClockJson => ({
  id: row.id,
  name: row.name,
  frozen_time: row.frozen_time.toISOString(),
  status: row.status,
  created_at: row.created_at.toISOString(),
});

/** How long an advance waits for the catalog's latest subscription events to reach the schedule. */
const CATALOG_WAIT_MS = 10_000;

/**
 * Test clocks (Stripe's design): the subscriptions on a clock live in its frozen time. Advancing
 * runs, for that clock only, the very billing pass and collection pass the real scheduler runs,
 * with the new frozen time as "now", until nothing more is due; the clock is `advancing` until
 * then. An advance interrupted by a crash is finished by the scheduler of any instance.
 */
@Injectable()
export class TestClocksService {
  private readonly logger = new Logger(TestClocksService.name);
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly clocks: TestClocksRepository,
    private readonly billing: BillingRunService,
    private readonly collection: CollectionService,
    private readonly catalogEvents: CatalogSubscriptionsConsumer,
    private readonly clock: Clock,
    @Inject(ABAXUS_CONFIG) private readonly config: AbaxusConfig,
  ) {}

  async create(body: CreateTestClockDto): Promise<TestClockJson> {
    this.assertEnabled();
    const row = await this.clocks.insert({
      id: `clock_${randomBytes(12).toString('hex')}`,
      name: body.name ?? null,
      frozen_time: toDate(body.frozen_time, 'frozen_time'),
      created_at: this.clock.now(),
    });
    return toJson(row);
  }

  async get(id: string): Promise<TestClockJson> {
    this.assertEnabled();
    const row = await this.clocks.find(id);
    if (!row) throw ProblemException.notFound('Test clock', id);
    return toJson(row);
  }

  async list(query: ListQueryDto): Promise<Page<TestClockJson>> {
    this.assertEnabled();
    const limit = listLimit(query);
    let beforeSeq: string | undefined;
    if (query.starting_after !== undefined) {
      beforeSeq = (await this.clocks.find(query.starting_after))?.seq;
      if (beforeSeq === undefined) throw unknownCursor(query.starting_after);
    }
    return toPage((await this.clocks.list(limit, beforeSeq)).map(toJson), limit, (clock) => clock.id);
  }

  async advance(id: string, body: AdvanceTestClockDto): Promise<TestClockJson> {
    this.assertEnabled();
    const to = toDate(body.frozen_time, 'frozen_time');
    const current = await this.clocks.find(id);
    if (!current) throw ProblemException.notFound('Test clock', id);
    if (current.status === 'advancing')
      throw new ProblemException(409, 'test_clock_advancing', `Test clock ${id} is still advancing; poll it until it is ready.`);
    if (to.getTime() <= current.frozen_time.getTime()) {
      throw new ProblemException(
        422,
        'test_clock_not_forward',
        `A test clock only moves forward: ${to.toISOString()} is not after ${current.frozen_time.toISOString()}.`,
        {
          errors: [{ field: 'frozen_time', message: `must be after ${current.frozen_time.toISOString()}` }],
        },
      );
    }
    // Subscriptions created just before the advance must be on the schedule it runs.
    await this.catalogEvents.waitForCatalog(CATALOG_WAIT_MS);
    const advancing = await this.clocks.startAdvance(id, to);
    if (!advancing) throw new ProblemException(409, 'test_clock_advancing', `Test clock ${id} was advanced by another request meanwhile.`);
    this.finish(advancing);
    return toJson(advancing);
  }

  /** Finishes every advance left running (by this instance's crash or another's). */
  async resumeAdvancing(): Promise<void> {
    for (const row of await this.clocks.advancing()) await this.finish(row);
  }

  /** Runs what is due on the clock, in order, until nothing is; one run per clock at a time in this instance. */
  private finish(row: TestClockRow): Promise<void> {
    const existing = this.running.get(row.id);
    if (existing) return existing;
    const work = (async () => {
      try {
        for (let pass = 0; pass < 1000; pass++) {
          const billed = await this.billing.runDue(row.id, row.frozen_time);
          const collected = await this.collection.runDue(row.id, row.frozen_time);
          if (billed.invoices_issued === 0 && collected === 0) break;
        }
        await this.clocks.finishAdvance(row.id, row.frozen_time);
      } catch (error) {
        // Left advancing: the scheduler resumes it.
        this.logger.warn(`test clock ${row.id}: advance to ${row.frozen_time.toISOString()} interrupted: ${(error as Error).message}`);
      } finally {
        this.running.delete(row.id);
      }
    })();
    this.running.set(row.id, work);
    return work;
  }

  private assertEnabled(): void {
    if (!this.config.testClocksEnabled) throw new ProblemException(404, 'test_clocks_disabled', 'Test clocks are turned off here (ABAXUS_TEST_CLOCKS=off).');
  }
}
