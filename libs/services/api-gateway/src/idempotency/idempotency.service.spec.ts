import { problemOf } from '@abaxus/platform/testing/problem-of';
import { IdempotencyRepository, StoredIdempotentRequest } from './idempotency.repository';
import { IdempotencyService, ProxiedResponse } from './idempotency.service';

/** The key store in memory; `age` makes a key older than the 24-hour time to live. */
class FakeIdempotencyRepository {
  readonly rows = new Map<string, StoredIdempotentRequest>();

  private id(scope: string, key: string): string {
    return `${scope}\n${key}`;
  }

  age(scope: string, key: string): void {
    this.rows.get(this.id(scope, key))!.expired = true;
  }

  async claim(scope: string, key: string, requestHash: string): Promise<boolean> {
    if (this.rows.has(this.id(scope, key))) return false;
    this.rows.set(this.id(scope, key), { requestHash, status: null, contentType: null, responseBody: null, expired: false });
    return true;
  }

  async find(scope: string, key: string): Promise<StoredIdempotentRequest | undefined> {
    return this.rows.get(this.id(scope, key));
  }

  async complete(scope: string, key: string, status: number, contentType: string, responseBody: string): Promise<void> {
    Object.assign(this.rows.get(this.id(scope, key))!, { status, contentType, responseBody });
  }

  async release(scope: string, key: string): Promise<void> {
    this.rows.delete(this.id(scope, key));
  }

  async releaseIfExpired(scope: string, key: string): Promise<void> {
    if (this.rows.get(this.id(scope, key))?.expired) await this.release(scope, key);
  }
}

describe('IdempotencyService', () => {
  let repository: FakeIdempotencyRepository;
  let service: IdempotencyService;
  let forwarded: number;
  const body = Buffer.from('{"id":"cust_acme"}');

  const answer =
    (status: number, text = `{"n":${forwarded + 1}}`) =>
    async (): Promise<ProxiedResponse> => {
      forwarded += 1;
      return { status, contentType: status >= 400 ? 'application/problem+json' : 'application/json', body: text };
    };

  beforeEach(() => {
    repository = new FakeIdempotencyRepository();
    service = new IdempotencyService(repository as unknown as IdempotencyRepository);
    forwarded = 0;
  });

  it('forwards the first request and replays its answer, marked as replayed, for the same request', async () => {
    const first = await service.run('tenant', 'k1', 'POST', '/v1/customers', body, answer(201));
    expect(first).toEqual({ status: 201, contentType: 'application/json', body: '{"n":1}' });
    const retry = await service.run('tenant', 'k1', 'POST', '/v1/customers', Buffer.from(body), answer(201));
    expect(retry).toEqual({ status: 201, contentType: 'application/json', body: '{"n":1}', replayed: true });
    expect(forwarded).toBe(1);
  });

  it('refuses the key with another body, method or path (409 idempotency_key_reused), forwarding nothing', async () => {
    await service.run('tenant', 'k1', 'POST', '/v1/customers', body, answer(201));
    for (const [method, path, other] of [
      ['POST', '/v1/customers', Buffer.from('{"id":"cust_other"}')],
      ['PATCH', '/v1/customers', body],
      ['POST', '/v1/metrics', body],
    ] as const) {
      expect(await problemOf(service.run('tenant', 'k1', method, path, other, answer(201)))).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
    }
    expect(forwarded).toBe(1);
  });

  it('answers 409 idempotency_request_in_progress while the first request has no answer yet', async () => {
    let finish!: (response: ProxiedResponse) => void;
    const first = service.run('tenant', 'k1', 'POST', '/v1/customers', body, () => new Promise((resolve) => (finish = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await problemOf(service.run('tenant', 'k1', 'POST', '/v1/customers', body, answer(201)))).toMatchObject({
      status: 409,
      code: 'idempotency_request_in_progress',
    });
    finish({ status: 201, contentType: 'application/json', body: '{}' });
    await expect(first).resolves.toMatchObject({ status: 201 });
    expect(forwarded).toBe(0);
  });

  it('stores and replays client errors, but releases the key after a server error or a failed forward, so a retry acts', async () => {
    await service.run('tenant', 'k4xx', 'POST', '/v1/customers', body, answer(409, '{"code":"customer_exists"}'));
    expect(await service.run('tenant', 'k4xx', 'POST', '/v1/customers', body, answer(201))).toMatchObject({ status: 409, replayed: true });

    await service.run('tenant', 'k5xx', 'POST', '/v1/customers', body, answer(503));
    expect(repository.rows.size).toBe(1);
    expect(await service.run('tenant', 'k5xx', 'POST', '/v1/customers', body, answer(201))).toEqual({
      status: 201,
      contentType: 'application/json',
      body: '{"n":3}',
    });

    const unreachable = service.run('tenant', 'kdown', 'POST', '/v1/customers', body, async () => {
      throw new Error('connection refused');
    });
    await expect(unreachable).rejects.toThrow('connection refused');
    expect(await service.run('tenant', 'kdown', 'POST', '/v1/customers', body, answer(201))).not.toHaveProperty('replayed');
  });

  it('forgets a key older than 24 hours: the request then acts again, and so may another one', async () => {
    await service.run('tenant', 'k1', 'POST', '/v1/customers', body, answer(201));
    repository.age('tenant', 'k1');
    const again = await service.run('tenant', 'k1', 'POST', '/v1/customers', Buffer.from('{"id":"cust_new"}'), answer(201));
    expect(again).toEqual({ status: 201, contentType: 'application/json', body: '{"n":2}' });
  });

  it('keeps keys apart per scope (API key)', async () => {
    await service.run('tenant-a', 'k1', 'POST', '/v1/customers', body, answer(201));
    expect(await service.run('tenant-b', 'k1', 'POST', '/v1/customers', body, answer(201))).not.toHaveProperty('replayed');
    expect(forwarded).toBe(2);
  });

  it('answers 409 idempotency_conflict when the key vanished between the claim and the replay', async () => {
    await service.run('tenant', 'k1', 'POST', '/v1/customers', body, answer(201));
    const find = repository.find.bind(repository);
    repository.find = async () => undefined;
    expect(await problemOf(service.run('tenant', 'k1', 'POST', '/v1/customers', body, answer(201)))).toMatchObject({
      status: 409,
      code: 'idempotency_conflict',
    });
    repository.find = find;
  });

  it.each([
    ['an empty key', ''],
    ['a key of 256 characters', 'k'.repeat(256)],
    ['a key with a space', 'two words'],
    ['a key with a non-ASCII character', 'clé'],
  ])('refuses %s with 400 invalid_idempotency_key, touching nothing', async (_case, key) => {
    expect(await problemOf(service.run('tenant', key, 'POST', '/v1/customers', body, answer(201)))).toMatchObject({
      status: 400,
      code: 'invalid_idempotency_key',
    });
    expect([repository.rows.size, forwarded]).toEqual([0, 0]);
  });
});
