import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbaxusClient } from '@abaxus/sdk';
import { startTestEngine, TestEngine } from '@abaxus/testing/test-engine';
import { pollUntil } from '@abaxus/platform/testing/poll-until';
import { runCli, startCli } from './cli-process';

const LINES = 20_000;
const CUSTOMERS = 4;

/*
 * The `abaxus` CLI in its own process against the whole engine (embedded bus, API keys): a
 * 20,000-line import SIGKILLed mid-way and resumed (totals exact), a CSV backfill, a month-end run,
 * and the read commands' tables and JSON.
 */
describe('abaxus CLI against a real engine', () => {
  const apiKey = 'sk_test_cli_0123456789abcdef';
  const run = randomBytes(4).toString('hex');
  const metric = `cli_calls_${run}`;
  const customers = Array.from({ length: CUSTOMERS }, (_, i) => `cli_${run}_c${i}`);
  const march = { period_start: '2026-03-01T00:00:00Z', period_end: '2026-04-01T00:00:00Z' };
  let engine: TestEngine;
  let abaxus: AbaxusClient;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    engine = await startTestEngine({ bus: 'embedded', apiKeys: [apiKey] });
    abaxus = new AbaxusClient({ baseUrl: engine.url, apiKey });
    env = { ABAXUS_URL: engine.url, ABAXUS_API_KEY: apiKey };
    dir = mkdtempSync(join(tmpdir(), 'abaxus-cli-e2e-'));
    await abaxus.metrics.create({ key: metric, aggregation_type: 'sum', value_type: 'integer' });
    const plan = await abaxus.pricePlans.create({
      id: `cli_plan_${run}`,
      currency: 'USD',
      charges: [{ metric_key: metric, model: 'per_unit', properties: { unit_amount: '0.01' } }],
    });
    for (const id of customers) {
      await abaxus.customers.create({ id });
      await abaxus.subscriptions.create({ customer_id: id, plan_id: plan.id, start_date: '2026-01-01T00:00:00Z' });
    }
  });

  afterAll(async () => {
    await engine?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const usageOf = async (customer: string, period = march) => (await abaxus.usage.compute({ customer_id: customer, metric_key: metric, ...period })).value;

  /**
   * 20,000 lines over March: values as strings and as JSON numbers, every third line without an
   * idempotency_key, two blank lines, two lines refused here (bad JSON, not an object), three
   * refused by the engine (bad value, unknown metric, timestamp without offset), and ten
   * duplicates of earlier keys (skipped by the engine, the first one wins).
   */
  function usageFile(path: string): { expected: Map<string, bigint>; refusedLines: number[]; blankLines: number } {
    const expected = new Map(customers.map((id) => [id, 0n]));
    const lines: string[] = [];
    const special: Record<number, string> = {
      101: '{"customer_id": "broken',
      300: '',
      5_000: '[1, 2, 3]',
      7_777: JSON.stringify({
        customer_id: customers[0],
        metric_key: metric,
        value: 'abc',
        timestamp: '2026-03-05T00:00:00Z',
        idempotency_key: `k_${run}_bad1`,
      }),
      9_000: '',
      12_000: JSON.stringify({ customer_id: customers[1], metric_key: `no_such_${run}`, value: '5', timestamp: '2026-03-05T00:00:00Z' }),
      15_000: JSON.stringify({ customer_id: customers[2], metric_key: metric, value: '5', timestamp: '2026-03-05T00:00:00' }),
    };
    for (let line = 1; line <= LINES; line++) {
      if (line in special) {
        lines.push(special[line]);
        continue;
      }
      const customer = customers[line % CUSTOMERS];
      const value = (line * 7919) % 1000;
      const timestamp = new Date(Date.UTC(2026, 2, 1) + ((line * 2_654_435) % (31 * 86_400_000))).toISOString();
      if (line >= 16_000 && line < 16_010) {
        // Reuses the key of an earlier line that has one (1, 4, 7, …): a duplicate, never counted.
        const earlier = (line - 16_000) * 3 + 1;
        lines.push(JSON.stringify({ customer_id: customer, metric_key: metric, value: '1000', timestamp, idempotency_key: `k_${run}_${earlier}` }));
        continue;
      }
      const key = line % 3 === 0 ? '' : `,"idempotency_key":"k_${run}_${line}"`;
      const literal = line % 2 === 0 ? `"${value}"` : String(value);
      lines.push(`{"customer_id":"${customer}","metric_key":"${metric}","value":${literal},"timestamp":"${timestamp}"${key}}`);
      expected.set(customer, expected.get(customer)! + BigInt(value));
    }
    writeFileSync(path, `${lines.join('\n')}\n`);
    return { expected, refusedLines: [101, 5_000, 7_777, 12_000, 15_000], blankLines: 2 };
  }

  it('imports 20,000 lines, SIGKILLed mid-way and resumed: every event counted exactly once', async () => {
    const file = join(dir, 'usage.ndjson');
    const { expected, refusedLines, blankLines } = usageFile(file);
    const progressFile = `${file}.abaxus-progress`;
    const readProgress = () => JSON.parse(readFileSync(progressFile, 'utf8')) as { offset: number; line: number; accepted: number; refused: number };

    const first = startCli(['events', 'import', file, '--batch-size', '50', '--concurrency', '2'], env);
    const reached = await pollUntil(
      async () => {
        const progress = readProgress();
        if (progress.line < 3_000) throw new Error(`at line ${progress.line}`);
        return progress;
      },
      { timeoutMs: 60_000, intervalMs: 10 },
    );
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const atKill = readProgress();
    expect(atKill.line).toBeGreaterThanOrEqual(reached.line);
    expect(atKill.line).toBeLessThan(LINES);

    const resumed = await runCli(['events', 'import', file, '--batch-size', '50', '--concurrency', '2', '--json'], env);
    expect(resumed.stderr).not.toMatch(/retrying|abaxus events import:/);
    expect(resumed.status).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary).toMatchObject({
      completed: true,
      endpoint: 'POST /v1/events/batch',
      lines: LINES,
      resumed_from_line: atKill.line,
      accepted: LINES - blankLines - refusedLines.length,
      refused: refusedLines.length,
      refused_file: `${file}.abaxus-refused.ndjson`,
    });
    // The progress line: bar, rate and ETA on stderr.
    expect(resumed.stderr).toMatch(/usage\.ndjson \[[#.]+\]\s+\d+\.\d% \| [\d,]+ events \| [\d,]+ events\/s \| ETA \d+:\d\d/);

    // Exact totals, though the batches after the saved point were sent twice.
    for (const [customer, total] of expected) expect(await usageOf(customer)).toBe(total.toString());

    // Each refused line once, in line order, with its reasons.
    const refused = readFileSync(summary.refused_file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(refused.map((entry) => entry.line)).toEqual(refusedLines);
    expect(refused.map((entry) => entry.code)).toEqual(['invalid_json', 'not_an_object', 'validation_failed', 'validation_failed', 'validation_failed']);
    expect(refused[2]).toMatchObject({ idempotency_key: `k_${run}_bad1`, errors: [{ field: 'value' }] });
    expect(refused[3].errors).toEqual([expect.objectContaining({ field: 'metric_key' })]);
    expect(refused[4].errors).toEqual([expect.objectContaining({ field: 'timestamp' })]);
    expect(refused[4].idempotency_key).toMatch(/^imp_[0-9a-f]{16}_L15000$/);

    // Once complete, running it again sends nothing and changes nothing.
    const again = await runCli(['events', 'import', file, '--json', '--quiet'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ completed: true, handled_this_run: 0, accepted: summary.accepted, refused: refusedLines.length });
    expect(again.stderr).toBe('');
    for (const [customer, total] of expected) expect(await usageOf(customer)).toBe(total.toString());
  }, 180_000);

  it('backfills a CSV file of last year, quoted fields and properties included', async () => {
    const file = join(dir, 'legacy.csv');
    const rows = ['customer_id,metric_key,value,timestamp,idempotency_key,properties.region,properties'];
    let total = 0n;
    for (let i = 1; i <= 1_000; i++) {
      const value = (i * 31) % 97;
      total += BigInt(value);
      const timestamp = `2025-11-${String((i % 28) + 1).padStart(2, '0')}T08:15:00+01:00`;
      rows.push(`${customers[0]},${metric},${value},${timestamp},${i % 2 ? `legacy_${run}_${i}` : ''},"eu-west, ${i}","{""batch"": ${i}}"`);
    }
    rows.push(`${customers[0]},${metric},1,2025-11-02T08:15:00Z`);
    writeFileSync(file, `${rows.join('\r\n')}\r\n`);

    const result = await runCli(['events', 'import', file, '--backfill', '--json'], env);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ completed: true, endpoint: 'POST /v1/events/backfill', accepted: 1_000, refused: 1, lines: 1_002 });
    const [refused] = readFileSync(`${file}.abaxus-refused.ndjson`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(refused).toMatchObject({ line: 1_002, code: 'invalid_csv', message: '4 fields, the header has 7' });
    expect(await usageOf(customers[0], { period_start: '2025-11-01T00:00:00Z', period_end: '2025-12-01T00:00:00Z' })).toBe(total.toString());
  });

  it('runs the month-end over every customer, safely again, and lists the invoices as a table and as JSON', async () => {
    const idle = `cli_${run}_idle`;
    await abaxus.customers.create({ id: idle });
    const ours = (ids: string[]) => ids.filter((id) => id.startsWith(`cli_${run}_`));
    // 0.01 per unit: the total in cents is the usage.
    const cents = (usage: bigint) => `${usage / 100n}.${String(usage % 100n).padStart(2, '0')}`;
    const expectedTotals = await Promise.all(customers.map(async (id) => cents(BigInt((await usageOf(id))!))));

    const first = await runCli(['invoices', 'run', '--cutoff', '2026-04-01T00:00:00Z', '--json'], env);
    expect(first.status).toBe(0);
    const report = JSON.parse(first.stdout);
    const issued = report.issued.filter((outcome: { customer_id: string }) => outcome.customer_id.startsWith(`cli_${run}_`));
    expect(issued.map((outcome: { customer_id: string }) => outcome.customer_id).sort()).toEqual([...customers].sort());
    for (const outcome of issued) expect(outcome.total_amount).toBe(expectedTotals[customers.indexOf(outcome.customer_id)]);
    expect(report.skipped).toContainEqual(expect.objectContaining({ customer_id: idle, code: 'no_active_subscription' }));
    expect(report.failed).toEqual([]);
    expect(first.stderr).toMatch(/invoices up to 2026-04-01T00:00:00Z \[#+\] 100\.0% \| \d+ customers/);

    // Again (an interrupted run retried): the same invoices, none issued twice.
    const second = JSON.parse((await runCli(['invoices', 'run', '--cutoff', '2026-04-01T00:00:00Z', '--json', '--quiet'], env)).stdout);
    expect(
      second.issued
        .filter((outcome: { customer_id: string }) => outcome.customer_id.startsWith(`cli_${run}_`))
        .map((o: { invoice_id: string }) => o.invoice_id)
        .sort(),
    ).toEqual(issued.map((outcome: { invoice_id: string }) => outcome.invoice_id).sort());
    const listed = JSON.parse((await runCli(['invoices', 'list', '--all', '--json'], env)).stdout);
    expect(ours(listed.data.map((invoice: { customer_id: string }) => invoice.customer_id)).sort()).toEqual([...customers].sort());

    const table = await runCli(['invoices', 'list', '--customer', customers[1]], env);
    expect(table.status).toBe(0);
    const [header, rule, row, count] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^NUMBER\s+ID\s+CUSTOMER\s+STATUS\s+PERIOD\s+TOTAL\s+CURRENCY$/);
    expect(rule).toMatch(/^[- ]+$/);
    const mine = issued.find((outcome: { customer_id: string }) => outcome.customer_id === customers[1]);
    expect(row).toMatch(
      new RegExp(`^${mine.number}\\s+${mine.invoice_id}\\s+${customers[1]}\\s+issued\\s+2026-01-01T00:00Z → 2026-04-01T00:00Z\\s+${mine.total_amount}\\s+USD$`),
    );
    expect(count).toBe('1 invoice(s)');
  });

  it('shows a customer’s usage per metric as a table, and as JSON', async () => {
    const expected = await usageOf(customers[2]);
    const table = await runCli(
      ['usage', 'summary', '--customer', customers[2], '--metric', metric, '--from', march.period_start, '--to', march.period_end],
      env,
    );
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${metric}\\s+sum\\s+${expected}\\s+eventual\\s+`, 'm'));
    const json = await runCli(
      ['usage', 'summary', '--customer', customers[2], '--from', march.period_start, '--to', march.period_end, '--strong', '--json'],
      env,
    );
    expect(JSON.parse(json.stdout).usage).toContainEqual(expect.objectContaining({ metric_key: metric, value: expected, consistency: 'strong' }));
  });

  it('says clearly when the engine is away or the key is wrong', async () => {
    const away = await runCli(['invoices', 'list', '--url', 'http://127.0.0.1:9'], { ABAXUS_API_KEY: apiKey });
    expect(away.status).toBe(1);
    expect(away.stderr).toMatch(/cannot reach the engine at http:\/\/127\.0\.0\.1:9/);
    const wrongKey = await runCli(['invoices', 'list'], { ...env, ABAXUS_API_KEY: 'sk_test_wrong_key_00000000' });
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stderr).toMatch(/--api-key, ABAXUS_API_KEY/);
    expect(existsSync(join(dir, 'nothing.ndjson.abaxus-progress'))).toBe(false);
    const missing = await runCli(['events', 'import', join(dir, 'nothing.ndjson')], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no file/);
  });
});
