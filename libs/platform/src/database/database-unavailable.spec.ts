import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDatabaseUnavailable', () => {
  it('recognises a server that cannot be reached or a connection that broke', () => {
    expect(isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('read ECONNRESET', 'ECONNRESET'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    // localhost resolves to several addresses: Node reports every refusal at once.
    expect(isDatabaseUnavailable(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'connect failed'))).toBe(true);
  });

  it('recognises PostgreSQL going away: connection exceptions, shutdowns, start-up, too many connections', () => {
    for (const code of ['08006', '08001', '57P01', '57P02', '57P03', '53300']) {
      expect({ code, unavailable: isDatabaseUnavailable(withCode('server says no', code)) }).toEqual({ code, unavailable: true });
    }
  });

  it('looks inside TypeORM query failures and cause chains', () => {
    const broken = new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'));
    expect(isDatabaseUnavailable(broken)).toBe(true);
    expect(isDatabaseUnavailable(new Error('could not load', { cause: withCode('terminating connection due to administrator command', '57P01') }))).toBe(true);
  });

  it('leaves ordinary failures alone: constraint violations, bad input, programming errors, non-errors', () => {
    expect(isDatabaseUnavailable(new QueryFailedError('INSERT', [], withCode('duplicate key value violates unique constraint', '23505')))).toBe(false);
    expect(isDatabaseUnavailable(withCode('invalid byte sequence for encoding "UTF8": 0x00', '22021'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });

  it('stops on an error that is its own cause', () => {
    const loop = new Error('loop');
    (loop as { cause?: unknown }).cause = loop;
    expect(isDatabaseUnavailable(loop)).toBe(false);
  });
});
