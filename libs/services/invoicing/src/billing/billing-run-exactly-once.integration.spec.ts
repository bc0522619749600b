import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import type { SubscriptionRecord } from '@abaxus/contracts/catalog-events';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { ServiceUnderTest, startServiceUnderTest } from '@abaxus/platform/testing/service-under-test';
import { TestClock } from '@abaxus/platform/testing/test-clock';
import { InvoicingAppModule } from '../invoicing-app.module';
import type { BillingPassResult } from './billing-run.service';
import { InvoicingNeighbourStubs, RestartedService, restartOnSameDatabase } from '../testing/neighbour-stubs';

/*
 * Exactly once: two invoicing instances on one database run the billing run at the same time over
 * many due subscriptions, then a process is killed (SIGKILL) mid-run and another finishes: one
 * invoice per subscription, numbers without gaps. ABAXUS_EXACTLY_ONCE_SUBSCRIPTIONS=1000 for the
 * long form; CI runs 200.
 */
const COUNT = Number(process.env.ABAXUS_EXACTLY_ONCE_SUBSCRIPTIONS ?? 200);
const ENV = { ABAXUS_BILLING_RUN_INTERVAL_MS: '0' };
const ROOT = join(__dirname, '../../../../..');

const runPass = async (url: string): Promise<BillingPassResult> =>
  (await (await fetch(`${url}/internal/billing-runs`, { method: 'POST' })).json()) as BillingPassResult;

describe('billing run, exactly once (service alone, two instances and a crash)', () => {
  let sut: ServiceUnderTest;
  let second: RestartedService | undefined;
  let neighbours: InvoicingNeighbourStubs;
  let db: Client;

  beforeAll(async () => {
    sut = await startServiceUnderTest((runtime) => InvoicingAppModule.forRoot(runtime), { stub: ['catalog', 'pricing', 'aggregation'], env: ENV });
    neighbours = new InvoicingNeighbourStubs(sut);
    db = new Client({ connectionString: sut.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await second?.stop();
    await db?.end();
    await sut?.stop();
  });

  const count = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0].n as number;

  /** `n` daily subscriptions whose first cycle ended two hours ago (past the hour of grace), on the schedule. */
  async function dueSubscriptions(n: number): Promise<string[]> {
    const start = new Date(Date.now() - 26 * 3_600_000).toISOString();
    const records: SubscriptionRecord[] = [];
    const customers: string[] = [];
    for (let i = 0; i < n; i++) {
      const customer = await neighbours.cycledCustomer({ interval: 'day', startDate: start, fee: '3.00', publish: false });
      records.push(neighbours.subscriptionOf(customer.id));
      customers.push(customer.id);
    }
    const before = await count('SELECT count(*)::int AS n FROM invoicing.billing_subscriptions');
    await neighbours.publishSubscriptions(records);
    await pollUntil(async () => expect(await count('SELECT count(*)::int AS n FROM invoicing.billing_subscriptions')).toBe(before + n), { timeoutMs: 60_000 });
    return customers;
  }

  async function expectOneInvoiceEach(customers: string[]): Promise<void> {
    const perCustomer = await db.query('SELECT customer_id, count(*)::int AS n FROM invoicing.invoices WHERE customer_id = ANY($1) GROUP BY customer_id', [
      customers,
    ]);
    expect(perCustomer.rows).toHaveLength(customers.length);
    expect(perCustomer.rows.filter((row: { n: number }) => row.n !== 1)).toEqual([]);
    const numbers = (await db.query('SELECT sequence::int AS n FROM invoicing.invoices ORDER BY sequence')).rows.map((row: { n: number }) => row.n);
    expect(numbers).toEqual(numbers.map((_, index) => index + 1));
  }

  it(`two instances running at once over ${COUNT} due subscriptions issue ${COUNT} invoices, gapless`, async () => {
    second = await restartOnSameDatabase(sut, (runtime) => InvoicingAppModule.forRoot(runtime), { env: ENV });
    const customers = await dueSubscriptions(COUNT);
    const [a, b] = await Promise.all([runPass(sut.url), runPass(second.url)]);
    expect(a.invoices_issued + b.invoices_issued).toBe(COUNT);
    expect(a.failures + b.failures).toBe(0);
    await expectOneInvoiceEach(customers);
    const runs = await db.query('SELECT coalesce(sum(invoices_issued), 0)::int AS n FROM invoicing.billing_runs');
    expect(runs.rows[0].n).toBe(COUNT);
    // Nothing is left due, and another pass issues nothing.
    const again = await runPass(sut.url);
    expect(again.invoices_issued).toBe(0);
  }, 600_000);

  it('a process killed (SIGKILL) mid-run leaves claims that expire; a restarted instance finishes: still exactly one each', async () => {
    const customers = await dueSubscriptions(COUNT);
    // Slow pricing so the kill lands mid-run.
    for (const customerId of customers) neighbours.setPricingDelay(neighbours.subscriptionOf(customerId).id, 20);
    const issuedBefore = await count('SELECT count(*)::int AS n FROM invoicing.invoices');
    const child: ChildProcess = spawn(
      process.execPath,
      ['-r', join(ROOT, 'scripts/register-typescript.js'), join(__dirname, '../testing/invoicing-child-process.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ...ENV,
          DATABASE_URL: sut.databaseUrl,
          CATALOG_URL: sut.stubs.catalog!.url,
          PRICING_URL: sut.stubs.pricing!.url,
          ABAXUS_DB_POOL_SIZE: '4',
          ABAXUS_LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          const match = /READY (\S+)/.exec(chunk.toString());
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
      });
      void fetch(`${url}/internal/billing-runs`, { method: 'POST' }).catch(() => undefined);
      await pollUntil(async () => expect(await count('SELECT count(*)::int AS n FROM invoicing.invoices')).toBeGreaterThan(issuedBefore + 10), {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    const issuedAtKill = await count('SELECT count(*)::int AS n FROM invoicing.invoices');
    expect(issuedAtKill).toBeLessThan(issuedBefore + COUNT);
    // The killed process's claims hold for two minutes: a restarted instance whose clock is past them takes over.
    const later = new TestClock();
    later.advance(3 * 60_000);
    await second?.stop();
    second = await restartOnSameDatabase(sut, (runtime) => InvoicingAppModule.forRoot(runtime), { env: ENV, clock: later });
    const finished = await runPass(second.url);
    expect(finished.failures).toBe(0);
    expect(issuedAtKill - issuedBefore + finished.invoices_issued).toBe(COUNT);
    await expectOneInvoiceEach(customers);
  }, 600_000);
});
