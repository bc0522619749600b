import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { FakeStripeServer } from '@abaxus/services/invoicing/testing/fake-stripe-server';
import { WebhookReceiver } from '@abaxus/services/notifications/testing/webhook-receiver';
import { BillingScenario, expectStatus, STRIPE_EXAMPLE_TIERS, uniqueId } from '@abaxus/testing/invoicing/billing-scenario.factory';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';

/*
 * The operator console in a real browser (Debian's Chromium driven by playwright-core) against a
 * real engine: the console is built as `npm run build` builds it and served by the gateway.
 * Screenshots of the main pages go to test-results/console/ (kept by CI, not committed).
 */
const repoRoot = join(__dirname, '..', '..', '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(repoRoot, 'test-results', 'console');
const API_KEY = 'console-operator-key-7f3a';

describe('operator console in a browser (embedded bus)', () => {
  let stripe: FakeStripeServer;
  let receiver: WebhookReceiver;
  let engine: TestEngine;
  let scenario: BillingScenario;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // Never skipped: CI installs Chromium (.ci/run); a machine without it fails here, saying how to fix it.
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
    execFileSync(process.execPath, ['scripts/build.js', 'apps/console'], { cwd: repoRoot, stdio: 'pipe' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    stripe = await new FakeStripeServer().start();
    receiver = await WebhookReceiver.start();
    engine = await startTestEngine({
      bus: 'embedded',
      apiKeys: [API_KEY],
      env: { STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_URL: stripe.url, STRIPE_TIMEOUT_MS: '2000' },
    });
    scenario = new BillingScenario(engine);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
  }, 90000);

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
    await stripe?.stop();
    await receiver?.close();
  });

  /** A customer on Stripe's tier example billed monthly from this month, with usage spread over the month so far. */
  async function customerWithCurrentUsage(name: string, paymentMethod: string, values: string[]) {
    const metricKey = await scenario.metric();
    const planId = uniqueId('plan');
    const charges = [{ metric_key: metricKey, model: 'tiered', properties: { tiers: STRIPE_EXAMPLE_TIERS } }];
    expectStatus(await engine.api('POST', '/v1/price-plans', { id: planId, name: 'Monthly API', currency: 'USD', billing_interval: 'month', charges }), 201);
    const customerId = await scenario.customer({ name, payment_method: { provider_customer_id: 'cus_acme', provider_payment_method: paymentMethod } });
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const setup = { metricKey, planId, customerId, subscriptionId: await scenario.subscription(customerId, planId, monthStart) };
    const subscription = expectStatus(await engine.api('GET', `/v1/subscriptions/${setup.subscriptionId}`), 200).body;
    const start = Date.parse(subscription.current_period_start);
    const span = Date.now() - 60000 - start;
    const events = values.map((value, index): [string, string] => [new Date(start + Math.floor((span * index) / values.length)).toISOString(), value]);
    await scenario.usage(setup, events);
    return { ...setup, subscription };
  }

  async function confirmIn(row: ReturnType<Page['locator']>, label: string) {
    await row.getByRole('button', { name: label, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: label });
    await dialog.getByRole('button', { name: label, exact: true }).click();
    return dialog;
  }

  it('signs in, charts usage as the histogram answers, issues, downloads and voids an invoice, shows a declined charge, credits an invoice, retries a webhook delivery, lists a refused event', async () => {
    const hook = await engine.api('POST', '/v1/webhook-endpoints', { url: receiver.path('console'), events: ['invoice.issued'] });
    const endpointId = expectStatus(hook, 201).body.id;
    receiver.useSecret('console', hook.body.secret);
    const acme = await customerWithCurrentUsage('Acme Console Corp', 'pm_card_visa', ['3', '4', '5']);
    const usageQuery = `customer_id=${acme.customerId}&metric_key=${acme.metricKey}&subscription_id=${acme.subscriptionId}&period_start=${encodeURIComponent(acme.subscription.current_period_start)}&period_end=${encodeURIComponent(acme.subscription.current_period_end)}`;
    await pollUntil(async () => expect(expectStatus(await engine.api('GET', `/v1/usage/summary?${usageQuery}`), 200).body.value).toBe('12'));

    // Sign in: the key is checked, kept in session storage, never put in the URL.
    await page.goto(`${engine.url}/console/`);
    await page.getByLabel('API key').fill('wrong-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('401');
    await page.getByLabel('API key').fill(API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([API_KEY]);
    await page.getByRole('link', { name: acme.customerId }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'customers.png'), fullPage: true });

    // The customer: the chart's points are the histogram's buckets, the figure the summary's value.
    await page.getByRole('link', { name: acme.customerId }).click();
    await page.getByRole('heading', { name: 'Acme Console Corp' }).waitFor();
    expect(page.url()).toBe(`${engine.url}/console/customers/${acme.customerId}`);
    await page.getByTestId('usage-summary').waitFor();
    expect(await page.getByTestId('usage-summary').textContent()).toBe('12');
    const chartPoints = () =>
      page
        .getByTestId('usage-points')
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((row) => ({ start: row.getAttribute('data-start'), value: row.getAttribute('data-value') })));
    for (const granularity of ['day', 'hour']) {
      await page.getByLabel('Granularity').selectOption(granularity);
      const histogram = expectStatus(await engine.api('GET', `/v1/usage/histogram?${usageQuery}&granularity=${granularity}`), 200).body;
      const expected = histogram.buckets.map((bucket: { start: string; value: string }) => ({ start: bucket.start, value: bucket.value }));
      expect(expected.some((bucket: { value: string }) => bucket.value !== '0')).toBe(true);
      await pollUntil(async () => expect(await chartPoints()).toEqual(expected));
    }
    expect(await page.locator('.chart-canvas canvas').count()).toBe(1);
    // The upcoming invoice shows each tier: 12 units on 1–5 at $7, 6–10 at $6.50, then $6 → $79.50.
    expect(await page.getByTestId('upcoming-total').textContent()).toBe('$79.50');
    const tiers = await page.locator('table.lines tr.tier').allTextContents();
    expect(tiers).toHaveLength(3);
    expect(tiers[1]).toContain('$6.50');
    // Credits are another helper's feature: until the engine has them the section says so, without an error.
    const credits = page.locator('section[aria-labelledby="credits-heading"]');
    await pollUntil(async () => expect(await credits.textContent()).toMatch(/Not available on this engine\.|No credit\.|\$/));
    expect(await credits.getByRole('alert').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'customer.png'), fullPage: true });

    // Issue an invoice (after confirming), download its PDF, then void it.
    await page.getByRole('button', { name: 'Issue invoice' }).click();
    await page.getByRole('dialog', { name: 'Issue invoice' }).getByRole('button', { name: 'Issue invoice' }).click();
    const issued = await pollUntil(async () => {
      const list = expectStatus(await engine.api('GET', `/v1/invoices?customer_id=${acme.customerId}`), 200).body.data;
      expect(list).toHaveLength(1);
      return list[0];
    });
    expect([issued.status, issued.total_amount]).toEqual(['issued', '79.50']);
    const row = page.locator(`tr[data-invoice="${issued.id}"]`);
    await row.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: `Download PDF of ${issued.number}` }).click()]);
    expect(download.suggestedFilename()).toBe(`${issued.number}.pdf`);
    expect(
      readFileSync((await download.path())!)
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    await confirmIn(row, 'Void');
    await row.locator('.status-voided').waitFor();
    expect(expectStatus(await engine.api('GET', `/v1/invoices/${issued.id}`), 200).body.status).toBe('voided');
    await page.screenshot({ path: join(SCREENSHOTS, 'customer-invoiced.png'), fullPage: true });

    // A declined card: the dialog shows the problem and its decline code; the attempt is listed.
    const globex = await customerWithCurrentUsage('Globex Declined', 'pm_card_chargeDeclinedInsufficientFunds', ['2']);
    await pollUntil(async () =>
      expect(
        expectStatus(
          await engine.api(
            'GET',
            `/v1/usage/summary?${usageQuery.replace(acme.customerId, globex.customerId).replace(acme.metricKey, globex.metricKey).replace(acme.subscriptionId, globex.subscriptionId)}`,
          ),
          200,
        ).body.value,
      ).toBe('2'),
    );
    const unpaid = expectStatus(
      await engine.api('POST', '/v1/invoices', { customer_id: globex.customerId, cutoff_date: new Date(Date.now() - 1000).toISOString() }),
      201,
    ).body;
    await page.goto(`${engine.url}/console/customers/${globex.customerId}`);
    const unpaidRow = page.locator(`tr[data-invoice="${unpaid.id}"]`);
    await unpaidRow.waitFor();
    // By keyboard: Enter opens the confirmation with the focus on Cancel, Escape closes it, nothing charged.
    await unpaidRow.getByRole('button', { name: 'Charge', exact: true }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog', { name: 'Charge' }).isVisible()).toBe(false);
    expect(stripe.creations()).toHaveLength(0);
    const dialog = await confirmIn(unpaidRow, 'Charge');
    const problem = dialog.getByRole('alert');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/HTTP 402.*card_declined.*Decline code: insufficient_funds/s);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.reload();
    await page.getByTestId('decline-code').first().waitFor();
    expect(await page.getByTestId('decline-code').allTextContents()).toEqual(['insufficient_funds']);
    expect(await unpaidRow.locator('.status-payment_failed').count()).toBe(1);
    // This engine documents credit notes, so the console offers them: a partial credit lowers what is due.
    await unpaidRow.getByRole('button', { name: 'Credit note', exact: true }).click();
    const creditNote = page.getByRole('dialog', { name: 'Credit note' });
    await creditNote.getByLabel('Amount (USD)').fill('4.00');
    await creditNote.getByRole('button', { name: 'Credit note', exact: true }).click();
    await unpaidRow.getByText('due $10.00').waitFor();
    expect(expectStatus(await engine.api('GET', `/v1/invoices/${unpaid.id}`), 200).body).toMatchObject({ total_amount: '14.00', amount_due: '10.00' });
    const note = page.locator('tr[data-credit-note]');
    await note.waitFor();
    expect(await note.locator('td').allTextContents()).toEqual([unpaid.number, '$4.00', 'other', 'amount due', expect.any(String), 'PDF']);

    // Usable on a phone: nothing wider than the screen (wide tables scroll inside their box).
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'customer-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Month end: this month's invoices, the voided one left out, the declined one counted as failed.
    await page.getByRole('link', { name: 'Invoices' }).click();
    const monthEnd = page.getByTestId('month-end');
    await monthEnd.waitFor();
    const thisMonth = monthEnd.locator('tbody tr').filter({ hasText: unpaid.created_at.slice(0, 7) });
    const cells = await thisMonth.locator('td').allTextContents();
    expect(unpaid.total_amount).toBe('14.00');
    expect(cells).toEqual(['USD', '$14.00 (1)', '$0.00 (0)', '$14.00 (1)', '$14.00 (1)']);
    await page.screenshot({ path: join(SCREENSHOTS, 'invoices.png'), fullPage: true });
    await page.getByRole('link', { name: 'Plans' }).click();
    await page.getByRole('link', { name: acme.planId }).click();
    await page.getByRole('heading', { name: /Version 1/ }).waitFor();
    expect(await page.locator('table tbody tr').allTextContents()).toEqual(['05$7.00$0.00', 'above 510$6.50$0.00', 'above 10∞$6.00$0.00']);
    expect(await page.locator('.price-chart canvas').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'plan.png'), fullPage: true });
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhook endpoints' }).waitFor();

    // The delivery log of an endpoint, and a delivery sent again on request.
    await pollUntil(async () => expect(receiver.acceptedAt('console')).toHaveLength(2));
    await page.getByRole('link', { name: endpointId }).click();
    const delivery = page.getByRole('row').filter({ hasText: acme.customerId });
    await delivery.locator('.status-succeeded').waitFor();
    await confirmIn(delivery, 'Retry');
    await pollUntil(async () => expect(receiver.acceptedAt('console')).toHaveLength(3));
    expect(receiver.acceptedAt('console')[2].payload).toMatchObject({ type: 'invoice.issued', data: { invoice_id: issued.id } });
    await page.screenshot({ path: join(SCREENSHOTS, 'webhook-deliveries.png'), fullPage: true });

    // A refused usage event, read back from the events.rejected delivery log.
    const rejectedHook = expectStatus(await engine.api('POST', '/v1/webhook-endpoints', { url: receiver.path('rejected'), events: ['events.rejected'] }), 201);
    receiver.useSecret('rejected', rejectedHook.body.secret);
    const refused = {
      customer_id: acme.customerId,
      metric_key: acme.metricKey,
      value: 'ten',
      timestamp: new Date().toISOString(),
      idempotency_key: 'evt_console_refused',
    };
    const batch = expectStatus(await engine.api('POST', '/v1/events/batch', { events: [refused] }), 207);
    expect(batch.body.results[0].status).toBe(400);
    await pollUntil(async () => expect(receiver.acceptedAt('rejected')).toHaveLength(1));
    await page.getByRole('link', { name: 'Rejected events' }).click();
    const rejected = page.getByTestId('rejected-events').locator('tbody tr');
    await rejected.first().waitFor();
    const rejectedCells = await rejected.locator('td').allTextContents();
    expect(rejectedCells.slice(1, 4)).toEqual(['batch', acme.customerId, 'evt_console_refused']);
    expect(rejectedCells[4]).toMatch(/^validation_failed: .*value/);
  }, 90000);

  it('serves the build with content types, cache headers and the SPA fallback; assets never from another origin', async () => {
    const index = await fetch(`${engine.url}/console/invoices?status=paid`);
    expect([index.status, index.headers.get('content-type'), index.headers.get('cache-control')]).toEqual([200, 'text/html; charset=utf-8', 'no-cache']);
    const html = await index.text();
    expect(html).not.toMatch(/https?:\/\//);
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(`${engine.url}${script}`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ]);
    expect(asset.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect((await fetch(`${engine.url}/console/assets/missing-0000.js`)).status).toBe(404);
    expect((await fetch(`${engine.url}/console/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });
});
