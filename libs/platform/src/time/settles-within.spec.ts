import { settlesWithin } from './settles-within';

describe('settlesWithin', () => {
  it('is true for work that resolves or rejects in time, false for work still running when the time is up', async () => {
    expect(await settlesWithin(Promise.resolve('done'), 1_000)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('failed')), 1_000)).toBe(true);
    let finish!: () => void;
    const slow = new Promise<void>((resolve) => (finish = resolve));
    expect(await settlesWithin(slow, 20)).toBe(false);
    finish();
    expect(await settlesWithin(slow, 20)).toBe(true);
  });
});
