import { checkEventRules, CatalogFacts } from './usage-event-rules';
import { usageEventMessageJson } from './usage-event-message';
import { checkEventShape, EventCandidate } from './usage-event-shape';
import { parseEventInstant } from './event-timestamp';

const NOW = Date.parse('2026-03-17T14:00:00Z');

const event = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  customer_id: 'cust_acme',
  subscription_id: 'sub_1',
  metric_key: 'api_calls',
  value: '1',
  timestamp: '2026-03-17T13:00:00Z',
  idempotency_key: 'evt_1',
  properties: { region: 'us-east-1' },
  ...overrides,
});

const facts: CatalogFacts = {
  metric: (key) =>
    key === 'api_calls'
      ? { aggregationType: 'sum', valueType: 'integer' }
      : key === 'users'
        ? { aggregationType: 'unique_count', valueType: 'string' }
        : key === 'logins'
          ? { aggregationType: 'count', valueType: 'integer' }
          : undefined,
  hasCustomer: (id) => id === 'cust_acme' || id === 'cust_other',
  subscriptionOwner: (id) => (id === 'sub_1' ? 'cust_acme' : id === 'sub_2' ? 'cust_other' : undefined),
};

function candidate(overrides: Record<string, unknown> = {}): EventCandidate {
  const shape = checkEventShape(event(overrides), NOW);
  if (!shape.ok) throw new Error(JSON.stringify(shape.errors));
  return shape.candidate;
}

describe('checkEventShape', () => {
  it('accepts the contract example', () => {
    const shape = checkEventShape(event(), NOW);
    expect(shape.ok).toBe(true);
  });

  it('names missing and unknown fields with their paths', () => {
    const { idempotency_key: _omit, ...rest } = event({ extra: 1 });
    const shape = checkEventShape(rest, NOW, 'events[2]');
    expect(shape).toEqual({
      ok: false,
      errors: expect.arrayContaining([
        { field: 'events[2].idempotency_key', message: 'is required' },
        { field: 'events[2].extra', message: 'is not a known field' },
      ]),
    });
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
  ])('refuses an idempotency key that is %s', (_name, key) => {
    const shape = checkEventShape(event({ idempotency_key: key }), NOW);
    expect(shape.ok).toBe(false);
    expect(!shape.ok && shape.errors[0].field).toBe('idempotency_key');
  });

  it('accepts a 255-character idempotency key', () => {
    expect(checkEventShape(event({ idempotency_key: 'k'.repeat(255) }), NOW).ok).toBe(true);
  });

  it.each(['2026-03-17 13:00:00', '2026-03-17T13:00:00', '17/03/2026', '2026-02-30T00:00:00Z'])('refuses timestamp %s', (timestamp) => {
    const shape = checkEventShape(event({ timestamp }), NOW);
    expect(!shape.ok && shape.errors).toEqual([{ field: 'timestamp', message: expect.stringContaining('RFC 3339') }]);
  });

  it('accepts up to 5 minutes in the future and refuses beyond', () => {
    expect(checkEventShape(event({ timestamp: '2026-03-17T14:05:00Z' }), NOW).ok).toBe(true);
    const late = checkEventShape(event({ timestamp: '2026-03-17T14:05:00.001Z' }), NOW);
    expect(!late.ok && late.errors[0].message).toContain('5 minutes in the future');
  });

  it('accepts old timestamps with offsets and normalises them to UTC', () => {
    const shape = checkEventShape(event({ timestamp: '2019-01-01T02:00:00.1234567+02:00' }), NOW);
    expect(shape.ok && shape.candidate.instant.iso).toBe('2019-01-01T00:00:00.123456Z');
  });

  it('refuses text the store cannot hold: NUL characters and unpaired surrogates', () => {
    const nul = checkEventShape(event({ properties: { a: ['x\u0000y'] } }), NOW);
    expect(!nul.ok && nul.errors[0].field).toBe('properties');
    const lone = checkEventShape(event({ idempotency_key: 'evt_\ud800', properties: { ['k\udc00']: 1 } }), NOW);
    expect(!lone.ok && lone.errors.map((e) => e.field)).toEqual(['idempotency_key', 'properties']);
    expect(checkEventShape(event({ idempotency_key: 'evt_😀', properties: { text: 'a\\u0000 literally' } }), NOW).ok).toBe(true);
  });

  it('refuses wrong types with a readable message', () => {
    const shape = checkEventShape(event({ customer_id: 5, value: { n: 1 } }), NOW);
    expect(!shape.ok && shape.errors).toEqual(
      expect.arrayContaining([
        { field: 'customer_id', message: 'must be a string' },
        { field: 'value', message: 'must be a string or a number or null' },
      ]),
    );
  });

  it('refuses a body that is not an object', () => {
    expect(checkEventShape([1], NOW)).toEqual({ ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] });
  });
});

describe('checkEventRules', () => {
  it('normalises the value and keeps the event', () => {
    const result = checkEventRules(candidate({ value: '+0007' }), facts);
    expect(result.ok && result.event).toMatchObject({ value: '7', aggregationType: 'sum', subscriptionId: 'sub_1' });
  });

  it('refuses unknown metric and customer', () => {
    const result = checkEventRules(candidate({ metric_key: 'nope', customer_id: 'ghost', subscription_id: null }), facts);
    expect(!result.ok && result.errors.map((e) => e.field)).toEqual(['metric_key', 'customer_id']);
  });

  it('refuses a subscription of another customer, and an unknown one', () => {
    const other = checkEventRules(candidate({ subscription_id: 'sub_2' }), facts);
    expect(!other.ok && other.errors[0]).toEqual({ field: 'subscription_id', message: expect.stringContaining('does not belong') });
    const missing = checkEventRules(candidate({ subscription_id: 'sub_9' }), facts);
    expect(!missing.ok && missing.errors[0].field).toBe('subscription_id');
  });

  it('refuses a value that does not fit the metric', () => {
    const result = checkEventRules(candidate({ value: '1.5' }), facts, 'events[0]');
    expect(!result.ok && result.errors[0].field).toBe('events[0].value');
    expect(checkEventRules(candidate({ metric_key: 'users', value: 12 }), facts).ok).toBe(false);
  });

  it('writes the normalised bus form, which validates again to the same event', () => {
    const first = checkEventRules(candidate({ value: 42, timestamp: '2026-03-17T15:00:00+02:00' }), facts);
    if (!first.ok) throw new Error('expected ok');
    const json = usageEventMessageJson(first.event);
    const again = checkEventShape(JSON.parse(json), NOW);
    if (!again.ok) throw new Error(JSON.stringify(again.errors));
    const second = checkEventRules(again.candidate, facts);
    expect(second).toEqual(first);
    expect(JSON.parse(json)).toMatchObject({ value: '42', timestamp: '2026-03-17T13:00:00.000Z', properties: { region: 'us-east-1' } });
  });

  it('leaves absent optional fields out of the bus form', () => {
    const result = checkEventRules(candidate({ subscription_id: null, properties: undefined, value: null, metric_key: 'logins' }), facts);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(JSON.parse(usageEventMessageJson(result.event))).toEqual({
      customer_id: 'cust_acme',
      metric_key: 'logins',
      timestamp: '2026-03-17T13:00:00.000Z',
      idempotency_key: 'evt_1',
    });
  });
});

describe('parseEventInstant', () => {
  it('truncates below the microsecond instead of rounding across a boundary', () => {
    expect(parseEventInstant('2026-03-17T13:59:59.9999999Z')?.iso).toBe('2026-03-17T13:59:59.999999Z');
  });
});

describe('parseEventInstant on the canonical UTC form', () => {
  it('agrees with the general parser and refuses impossible dates', () => {
    expect(parseEventInstant('2026-03-17T13:59:59.123Z')).toEqual({
      epochMillis: Date.parse('2026-03-17T13:59:59.123Z'),
      micros: 0,
      iso: '2026-03-17T13:59:59.123Z',
    });
    expect(parseEventInstant('2026-02-29T00:00:00.000Z')).toBeUndefined();
    expect(parseEventInstant('2028-02-29T00:00:00.000Z')?.iso).toBe('2028-02-29T00:00:00.000Z');
  });
});
